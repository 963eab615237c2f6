"""免用实物印章: a license PDF downloaded from the wallet carries the issuer's official seal
(PAdES) when the issuer has one, and its embedded signed JSON still verifies the license."""

# ruff: noqa: F811 (pytest fixtures are imported from test_wallet_support)

from __future__ import annotations

from digigov.support.seals.selectors.verification import pdf_verify
from digigov.support.seals.testing import seal_make

from ..services.use import license_download
from ..services.verification import license_verify_pdf
from .test_wallet_support import citizen, issue, principal_of, world  # noqa: F401


def test_pdf_is_sealed_by_the_issuers_official_seal(world, citizen):
    license = issue(world.people[0])
    seal = seal_make("440100-scjg")
    download = license_download(
        principal=principal_of(citizen), address=license.address, file_format="pdf"
    )
    reports = pdf_verify(pdf=download.content)
    assert [(r.verdict, r.seal_id) for r in reports] == [("valid", seal.pk)]
    result = license_verify_pdf(principal=principal_of(citizen), content=download.content)
    assert (result.outcome, result.address) == ("valid", license.address)

    changed = download.content.replace(b"/Type /Catalog", b"/Type  /Catalog", 1)
    assert changed != download.content
    assert [r.verdict for r in pdf_verify(pdf=changed)] != ["valid"]


def test_without_an_active_seal_the_pdf_is_served_unsealed(world, citizen):
    license = issue(world.people[0])
    seal_make("440100-scjg", active=False)
    download = license_download(
        principal=principal_of(citizen), address=license.address, file_format="pdf"
    )
    assert pdf_verify(pdf=download.content) == []
    result = license_verify_pdf(principal=principal_of(citizen), content=download.content)
    assert result.outcome == "valid"
