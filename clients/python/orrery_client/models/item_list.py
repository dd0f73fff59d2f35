from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.item_public import ItemPublic





T = TypeVar("T", bound="ItemList")



@_attrs_define
class ItemList:
    """ A page of items.

        Attributes:
            items (list[ItemPublic]): The items.
            page (int): This page, from 1.
            pages (int): Number of pages.
            size (int): Page size.
            total (int): Matching items over all pages.
     """

    items: list[ItemPublic]
    page: int
    pages: int
    size: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.item_public import ItemPublic # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        page = self.page

        pages = self.pages

        size = self.size

        total = self.total


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
            "page": page,
            "pages": pages,
            "size": size,
            "total": total,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.item_public import ItemPublic # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = ItemPublic.from_dict(items_item_data)



            items.append(items_item)


        page = d.pop("page")

        pages = d.pop("pages")

        size = d.pop("size")

        total = d.pop("total")

        item_list = cls(
            items=items,
            page=page,
            pages=pages,
            size=size,
            total=total,
        )


        item_list.additional_properties = d
        return item_list

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
