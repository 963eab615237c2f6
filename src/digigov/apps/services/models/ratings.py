"""好差评: one rating per closed case; a bad one opens a rectification (整改) task."""

from django.db import models


class Rating(models.Model):
    application = models.OneToOneField(
        "Application", on_delete=models.CASCADE, related_name="rating"
    )
    grade = models.PositiveSmallIntegerField("评价等级")  # constants.RATING_GRADES
    reasons = models.JSONField("评价原因", default=list, blank=True)  # codes
    comment = models.TextField("评价内容", blank=True, default="")
    channel = models.CharField("评价渠道", max_length=10, default="online")
    rater_actor = models.CharField("评价人", max_length=160)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-rated_at"]


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        REPLIED = "replied", "已回复"

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="open")
    reply = models.TextField("整改回复", blank=True, default="")
    replied_by = models.CharField("回复人", max_length=160, blank=True, default="")
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["due_date"]
