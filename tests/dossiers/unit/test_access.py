"""Who may see and act on what beyond the citizen/agency split: officers limited to the parts assigned to them, and
attachments that are the filing citizen's own uploads, read back only through a dossier the reader sees."""

from __future__ import annotations

import pytest

from lienthong_dossiers.domain.dossiers import PartState
from lienthong_dossiers.handlers import attachments, filing, processing
from lienthong_dossiers.handlers.context import Caller
from lienthong_runtime.errors import InvalidArgument, NotFound, PermissionDenied

from ..factories import CITIZEN, FORM, OTHER_CITIZEN, simple, upload_parts
from .test_rules import CIVIL, STRANGER, _procedure, agency


def officer(agency_id: str, client_id: str) -> Caller:
    """An officer's own client: its token has dossiers.parts.officer but not dossiers.dossiers.process."""
    return Caller.agency(agency_id, client_id, whole_agency=False)


async def test_an_officer_sees_and_acts_only_on_the_parts_assigned_to_them(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    mine = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k1")
    theirs = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k2")
    unassigned = await filing.file(uow, deps, Caller.citizen(CITIZEN), "LT-KHAISINH", FORM, "k3")
    await processing.assign(uow, deps, agency(CIVIL), mine.id, "cb-an")
    await processing.assign(uow, deps, agency(CIVIL), theirs.id, "cb-binh")
    an, binh = officer(CIVIL, "cb-an"), officer(CIVIL, "cb-binh")
    listed, _ = await processing.inbox(uow, deps, an, None, 50, "")
    assert [d.id for d in listed] == [mine.id]
    whole, _ = await processing.inbox(uow, deps, agency(CIVIL), None, 50, "")
    assert {d.id for d in whole} == {mine.id, theirs.id, unassigned.id}
    for dossier_id in (theirs.id, unassigned.id):
        for call in (
            processing.get(uow, deps, an, dossier_id),
            processing.request_supplement(uow, deps, an, dossier_id, "x"),
            processing.approve(uow, deps, an, dossier_id),
            processing.reject(uow, deps, an, dossier_id, "x"),
            processing.return_result(uow, deps, an, dossier_id, "doc"),
        ):
            with pytest.raises(NotFound):
                await call
    # An officer of another agency with the same client id sees nothing either.
    with pytest.raises(NotFound):
        await processing.get(uow, deps, officer(STRANGER, "cb-an"), mine.id)
    # Their own part: they read it and act on it; every read is logged as the officer's.
    assert (await processing.get(uow, deps, an, mine.id)).parts[0].officer_id == "cb-an"
    done = await processing.approve(uow, deps, an, mine.id)
    assert done.parts[0].state is PartState.APPROVED
    assert ("officer", "cb-an", "ApproveDossier") in {
        (e[1], e[2], e[4]) for e in uow.dossiers.access if e[0] == mine.id
    }
    with pytest.raises(PermissionDenied) as caught:  # only the agency's whole-inbox client assigns
        await processing.assign(uow, deps, binh, theirs.id, "cb-an")
    assert caught.value.reason == "SCOPE_MISSING"


async def test_a_form_names_only_the_citizens_own_uploads_and_the_agency_reads_them(world):
    uow, clock, deps = world
    await _procedure(uow, clock, simple(CIVIL))
    me, other = Caller.citizen(CITIZEN), Caller.citizen(OTHER_CITIZEN)
    content = b"%PDF-1.4 " + bytes(range(256)) * 5000  # over one sealed piece
    mine = await attachments.upload(uow, deps, me, upload_parts(content), 4 << 20)
    assert (mine.size, mine.file_name) == (len(content), "giay-chung-sinh.pdf")
    theirs = await attachments.upload(uow, deps, other, upload_parts(b"other"), 4 << 20)
    for bad in (theirs.id, "no-such-upload"):
        with pytest.raises(InvalidArgument) as refused:
            await filing.file(uow, deps, me, "LT-KHAISINH", {**FORM, "birth_certificate": bad}, f"k-{bad}")
        assert refused.value.reason == "ATTACHMENT_NOT_FOUND"
        assert refused.value.field_violations[0].field == "form[birth_certificate]"
    d = await filing.file(uow, deps, me, "LT-KHAISINH", {**FORM, "birth_certificate": mine.id}, "k")
    found, pieces = await attachments.download(uow, deps, agency(CIVIL), d.id, mine.id)
    assert found == mine and b"".join(pieces) == content and len(pieces) == 2
    for who, dossier_id, attachment_id in (
        (agency(STRANGER), d.id, mine.id),  # not addressed to it
        (agency(CIVIL), d.id, theirs.id),  # not in this dossier's form
        (officer(CIVIL, "cb-x"), d.id, mine.id),  # an officer it is not assigned to
    ):
        with pytest.raises(NotFound):
            await attachments.download(uow, deps, who, dossier_id, attachment_id)
    with pytest.raises(InvalidArgument) as big:
        await attachments.upload(uow, deps, me, upload_parts(content), 1000)
    assert big.value.reason == "ATTACHMENT_TOO_LARGE"
