from django.db import connection
from ninja import Router, Schema

router = Router(tags=["运维"], auth=None)


class HealthOut(Schema):
    status: str
    database: str


@router.get("/health", response=HealthOut, summary="健康检查")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HealthOut(status="ok", database=connection.vendor)
