from django.urls import path

from . import commitments, items, rectifications, rules, supervision, tasks, views, window

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("supervision/", supervision.supervision, name="supervision"),
    path("supervision/cases/", supervision.supervision_case_list, name="supervision_cases"),
    path("rectifications/", rectifications.rectifications, name="rectifications"),
    path(
        "rectifications/<int:rectification_id>/",
        rectifications.rectification,
        name="rectification",
    ),
    path("window/", window.window, name="window"),
    path("window/cases/<str:number>/", window.window_case, name="window_case"),
    path("items/", items.review_list, name="items"),
    path("items/<str:code>/", items.review_detail, name="item_review"),
    path("items/<str:code>/decide/", items.review_decide, name="item_decide"),
    path("tasks/", tasks.inbox, name="tasks"),
    path("tasks/<int:task_id>/", tasks.detail, name="task"),
    path("tasks/<int:task_id>/complete/", tasks.complete, name="task_complete"),
    path("tasks/<int:task_id>/return/", tasks.return_for_correction, name="task_return"),
    path("tasks/<int:task_id>/send-back/", tasks.send_back, name="task_send_back"),
    path("tasks/<int:task_id>/cosign/", tasks.cosign, name="task_cosign"),
    path("tasks/<int:task_id>/reassign/", tasks.reassign, name="task_reassign"),
    path("tasks/<int:task_id>/claim/", tasks.claim, name="task_claim"),
    path("rules/", rules.rules_list, name="rules"),
    path("rules/new/", rules.rules_new, name="rules_new"),
    path("rules/<int:ruleset_id>/", rules.rule_set, name="rule_set"),
    path("commitments/", commitments.commitments_list, name="commitments"),
    path(
        "commitments/<int:check_id>/verify/",
        commitments.commitment_verify_view,
        name="commitment_verify",
    ),
]
