"""Test data of dossiers: procedure specs (simple, paid, the newborn linked procedure) and forms."""

from __future__ import annotations

from lienthong_dossiers.domain.procedures import Component, Kind, Level, PartSpec, Spec

CITIZEN = "001090000001"
OTHER_CITIZEN = "001090000002"
COMPONENTS = (
    Component("child_name", "Họ và tên trẻ", Kind.TEXT, True),
    Component("birth_date", "Ngày sinh", Kind.DATE, True),
    Component("mother_id", "Số định danh của mẹ", Kind.PERSONAL_ID, True),
    Component("birth_certificate", "Giấy chứng sinh", Kind.ATTACHMENT, False),
)
FORM = {"child_name": "Nguyễn Văn An", "birth_date": "2027-01-20", "mother_id": "001190000003"}


def spec(
    parts: tuple[PartSpec, ...], *, fee: int = 0, before: bool = False, name: str = "Đăng ký khai sinh"
) -> Spec:
    return Spec(name, Level.PROVINCE, "01", COMPONENTS, parts, fee, before, True)


def simple(agency: str, days: int = 5, **kwargs) -> Spec:  # type: ignore[no-untyped-def]
    return spec((PartSpec(agency, "Đăng ký khai sinh", days),), **kwargs)


def newborn(civil: str, police: str, insurance: str, **kwargs) -> Spec:  # type: ignore[no-untyped-def]
    """Birth registration + permanent residence + health insurance card for a child under 6 (liên thông)."""
    return spec(
        (
            PartSpec(civil, "Đăng ký khai sinh", 3),
            PartSpec(police, "Đăng ký thường trú", 7),
            PartSpec(insurance, "Cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi", 5),
        ),
        name="Liên thông khai sinh, thường trú, cấp thẻ BHYT",
        **kwargs,
    )


async def upload_parts(content: bytes, name: str = "giay-chung-sinh.pdf"):  # type: ignore[no-untyped-def]
    """What the servicer hands ``attachments.upload``: the header, then the content in small chunks."""
    yield "header", (name, "application/pdf")
    for i in range(0, len(content), 7):
        yield "chunk", content[i : i + 7]
