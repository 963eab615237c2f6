"""BPMN workflow cases (SpiffWorkflow) driven to completion with persistence, against a plain
state machine doing the same database writes in the same run; and the cost of one step of a
long case (the 200th against the 10th), with the number of queries per step.

python -m bench workflow
  DIGIGOV_BENCH_WORKFLOW_CASES   cases per path (default 200; 20 is a smoke run)
  DIGIGOV_BENCH_WORKFLOW_STEPS   steps of the long case (default 210)
  DIGIGOV_BENCH_WORKFLOW_SQLITE  "1": a temporary SQLite file instead of PostgreSQL

Each BPMN case: file (Application + 提交), workflow_start, then 受理, 审查, 决定 through
services.workflow.task_complete (authorization, engine step, serialized state with a
compare-and-set revision, CaseTask rows, timeline, audit, events). The baseline runs the
same three steps as a dictionary of transitions with the same rows written.
SpiffWorkflow's task tree and serializer grow with every step; the long-case figure shows
the mitigation (spec not stored, tree pruned) against the unmitigated engine in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

from bench.common import PG_URL, ROOT, Figure, rate, report

CASES = int(os.environ.get("DIGIGOV_BENCH_WORKFLOW_CASES", "200"))
STEPS = max(210, int(os.environ.get("DIGIGOV_BENCH_WORKFLOW_STEPS", "210")))
DATABASE = "digigov_bench_workflow"
WINDOW = 5  # steps averaged around the 10th and the 200th


def _database_url() -> str:
    if os.environ.get("DIGIGOV_BENCH_WORKFLOW_SQLITE") == "1":
        return f"sqlite:///{tempfile.gettempdir()}/digigov_bench_workflow.sqlite3"
    return urlparse(PG_URL)._replace(path=f"/{DATABASE}").geturl()


def _recreate_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = urlparse(url).path
        if os.path.exists(path):
            os.remove(path)
        return
    import psycopg

    admin = urlparse(PG_URL)._replace(path="/postgres", query="").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def main() -> None:
    url = _database_url()
    _recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "digigov.settings"}
    env["DIGIGOV_DEBUG"] = "false"
    subprocess.run(
        [sys.executable, "-m", "digigov.cli", "migrate", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "-m", "bench.workflow", "--child"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    figures = [
        Figure(
            name=f"BPMN cases to completion (3 human steps, persistence), {database}",
            value=result["bpmn_rate"],
            unit="cases/s",
            baseline_name="plain state machine, same writes",
            baseline_value=result["plain_rate"],
            extra={
                "cases": result["cases"],
                "queries_per_case_bpmn": result["bpmn_queries"],
                "queries_per_case_plain": result["plain_queries"],
            },
        ),
        Figure(
            name="long case: one step at the 200th against the 10th (digigov engine)",
            value=result["long_200_ms"],
            unit="ms/step",
            baseline_name="10th step",
            baseline_value=result["long_10_ms"],
            target="ratio <= 2",
            extra={
                "queries_step_10": result["queries_10"],
                "queries_step_200": result["queries_200"],
                "state_bytes_10": result["state_10"],
                "state_bytes_200": result["state_200"],
            },
        ),
        Figure(
            name="unmitigated SpiffWorkflow (full tree + spec serialized): step 200 against 10",
            value=result["raw_200_ms"],
            unit="ms/step",
            baseline_name="10th step",
            baseline_value=result["raw_10_ms"],
            extra={
                "state_bytes_10": result["raw_state_10"],
                "state_bytes_200": result["raw_state_200"],
            },
        ),
    ]
    report("workflow", figures)


# --------------------------------------------------------------------------- the child process


def _child() -> dict:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from digigov.apps.services.models import Application, CaseTask, WorkflowCase
    from digigov.apps.services.services import workflow as wf
    from digigov.apps.services.services.cases import case_record, case_transition
    from digigov.apps.services.testing import item_make, organizations_ready
    from digigov.kernel.events.services import event_publish
    from digigov.kernel.organizations.models import Organization
    from digigov.kernel.principals import Principal
    from digigov.support.identity import services as identity

    organizations_ready()
    identity.roles_seed()
    scjg = Organization.objects.get(code="440100-scjg")

    def staff(username: str, role: str) -> Principal:
        account = identity.staff_account_create(
            actor=None,
            username=username,
            password="Bench@2025",
            real_name=username,
            organization_id=scjg.pk,
            roles=[role],
        )
        return account.as_principal(source_address="127.0.0.1")

    clerk = staff("bench_clerk", "窗口受理人员")
    reviewer = staff("bench_reviewer", "审批人员")
    approver = staff("bench_approver", "审批人员")
    applicant = Principal(kind="citizen", id="0", label="申请人", source_address="127.0.0.1")
    general = item_make(
        code="BENCH-WF", approval_mode="workflow", workflow_process="general_approval"
    )
    loop = item_make(code="BENCH-LOOP", approval_mode="workflow", workflow_process="bench_loop")
    plain_item = item_make(code="BENCH-PLAIN", approval_mode="workflow")
    counter = iter(range(10**9))

    def file(item) -> Application:
        application = Application.objects.create(
            number=f"BENCH-{next(counter):09d}",
            item=item,
            item_version=item.published,
            approval_mode="workflow",
            applicant_kind="person",
            applicant_id_number="440100199001010000",
            applicant_name="申请人",
            filed_by_actor=applicant.actor,
            channel="online",
            received_region_id=item.region_id,
            handling_region_id=item.region_id,
            handling_organization=item.organization,
            form_data={"phone": "13800138000"},
        )
        case_transition(application=application, to="submitted", principal=applicant)
        return application

    def step(application, name, who, outcome):
        task = CaseTask.objects.get(application=application, spec_name=name, status="open")
        wf.task_complete(principal=who, task_id=task.pk, outcome=outcome)

    def bpmn_case():
        with transaction.atomic():
            application = file(general)
            wf.workflow_start(application=application, principal=applicant)
        step(application, "accept", clerk, "accepted")
        step(application, "review", reviewer, "pass")
        step(application, "decide", approver, "approve")

    # The baseline: a dictionary of transitions, the same rows per step (lock, CaseTask done,
    # revision compare-and-set, timeline + audit, next CaseTask, case transition, event).
    plain_flow = {
        "accept": ("review", "accepted"),
        "review": ("decide", None),
        "decide": (None, "approved"),
    }

    def plain_step(application, name, who):
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application.pk)
            task = CaseTask.objects.get(application=application, spec_name=name, status="open")
            CaseTask.objects.filter(pk=task.pk).update(
                status="done",
                outcome="ok",
                completed_by_id=int(who.id),
                completed_at=timezone.now(),
            )
            case = WorkflowCase.objects.get(application=application)
            following, transition = plain_flow[name]
            WorkflowCase.objects.filter(pk=case.pk, revision=case.revision).update(
                state={"step": following},
                revision=case.revision + 1,
                is_completed=following is None,
            )
            case_record(application=application, principal=who, kind="task_done", label=name)
            if following:
                CaseTask.objects.create(
                    application=application,
                    spec_name=following,
                    label=following,
                    organization=scjg,
                    role="审批人员",
                )
                case_record(
                    application=application, principal=who, kind="task_opened", label=following
                )
            if transition:
                case_transition(application=application, to=transition, principal=who)
            event_publish(topic="services.task.completed", payload={"number": application.number})

    def plain_case():
        with transaction.atomic():
            application = file(plain_item)
            WorkflowCase.objects.create(
                application=application, process_id="plain", state={"step": "accept"}
            )
            CaseTask.objects.create(
                application=application,
                spec_name="accept",
                label="受理",
                organization=scjg,
                role="窗口受理人员",
            )
            case_record(
                application=application, principal=applicant, kind="task_opened", label="accept"
            )
        plain_step(application, "accept", clerk)
        plain_step(application, "review", reviewer)
        plain_step(application, "decide", approver)

    def timed(fn, count):
        fn()  # warm up
        with CaptureQueriesContext(connection) as queries:
            fn()
        per_case = len(queries)
        start = time.perf_counter()
        for _ in range(count):
            fn()
        return rate(count, time.perf_counter() - start), per_case

    bpmn_rate, bpmn_queries = timed(bpmn_case, CASES)
    plain_rate, plain_queries = timed(plain_case, CASES)

    # the long case
    with transaction.atomic():
        application = file(loop)
        wf.workflow_start(application=application, principal=applicant)
    durations, queries, states = {}, {}, {}
    for number in range(1, STEPS + 1):
        task = CaseTask.objects.get(application=application, status="open")
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            wf.task_complete(principal=reviewer, task_id=task.pk, outcome="again")
            durations[number] = time.perf_counter() - start
        queries[number] = len(captured)
        if number in (10, 200):
            states[number] = len(
                json.dumps(WorkflowCase.objects.get(application=application).state)
            )

    def around(number, values):
        picked = [values[n] for n in range(number - WINDOW // 2, number + WINDOW // 2 + 1)]
        return sorted(picked)[len(picked) // 2]

    raw = _raw_spiff()
    return {
        "cases": CASES,
        "bpmn_rate": bpmn_rate,
        "plain_rate": plain_rate,
        "bpmn_queries": bpmn_queries,
        "plain_queries": plain_queries,
        "long_10_ms": around(10, durations) * 1000,
        "long_200_ms": around(200, durations) * 1000,
        "queries_10": queries[10],
        "queries_200": queries[200],
        "state_10": states[10],
        "state_200": states[200],
        **raw,
    }


def _raw_spiff() -> dict:
    """The same loop on SpiffWorkflow as it comes: default serializer (spec included), no
    pruning; a JSON round trip per step as a database would need."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    from digigov.apps.services.workflow_engine.contrib.spiff import PROCESSES_DIR

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(PROCESSES_DIR / "bench_loop.bpmn"))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    state = serializer.serialize_json(BpmnWorkflow(parser.get_spec("bench_loop")))
    workflow = serializer.deserialize_json(state)
    workflow.do_engine_steps()
    state = serializer.serialize_json(workflow)
    durations, sizes = {}, {}
    for number in range(1, STEPS + 1):
        start = time.perf_counter()
        workflow = serializer.deserialize_json(state)
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        task.data["step"] = "again"
        task.run()
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        durations[number] = time.perf_counter() - start
        sizes[number] = len(state)

    def around(number):
        picked = [durations[n] for n in range(number - WINDOW // 2, number + WINDOW // 2 + 1)]
        return sorted(picked)[len(picked) // 2]

    return {
        "raw_10_ms": around(10) * 1000,
        "raw_200_ms": around(200) * 1000,
        "raw_state_10": sizes[10],
        "raw_state_200": sizes[200],
    }


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(_child()))
    else:
        main()
