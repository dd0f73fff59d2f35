from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.content_public import ContentPublic





T = TypeVar("T", bound="ContentList")



@_attrs_define
class ContentList:
    """ A page of content.

        Attributes:
            content (list[ContentPublic]): The content.
            page (int): This page, from 1.
            pages (int): Number of pages.
            size (int): Page size.
            total (int): Matching items over all pages.
     """

    content: list[ContentPublic]
    page: int
    pages: int
    size: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.content_public import ContentPublic # noqa: PLC0415
        content = []
        for content_item_data in self.content:
            content_item = content_item_data.to_dict()
            content.append(content_item)



        page = self.page

        pages = self.pages

        size = self.size

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "page": page,
            "pages": pages,
            "size": size,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.content_public import ContentPublic # noqa: PLC0415
        d = dict(src_dict)
        content = []
        _content = d.pop("content")
        for content_item_data in (_content):
            content_item = ContentPublic.from_dict(content_item_data)



            content.append(content_item)


        page = d.pop("page")

        pages = d.pop("pages")

        size = d.pop("size")

        total = d.pop("total")

        content_list = cls(
            content=content,
            page=page,
            pages=pages,
            size=size,
            total=total,
        )


        content_list.additional_properties = d
        return content_list

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
