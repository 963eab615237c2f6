"""`digigov bundles_check [--region 440100]`: check that every active 一件事 can merge its
items' forms and materials and that each item is published. Exits 1 on a problem, so a
deployment pipeline can run it after loading items."""

from django.core.management.base import BaseCommand, CommandError

from ...selectors.bundles import bundles_check


class Command(BaseCommand):
    help = "检查一件事的配置：事项已发布，申请表字段与材料可以合并"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="按该地区的实施事项检查（默认广州市）")

    def handle(self, *args, **options):
        problems = bundles_check(region_code=options["region"])
        for problem in problems:
            self.stderr.write(f"{problem.bundle_code}：{problem.message}")
        if problems:
            raise CommandError(f"一件事配置有 {len(problems)} 个问题")
        self.stdout.write("一件事配置检查通过")
