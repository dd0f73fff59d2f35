from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="HistoryItem")



@_attrs_define
class HistoryItem:
    """ One stored interaction of a user.

        Attributes:
            item_id (str): The item.
            kind (str): `rating`, `like`, `view`, …
            title (str): Its title (empty when the catalog no longer has it).
            ts (int): Unix seconds.
            value (float): The rating, count or seconds.
     """

    item_id: str
    kind: str
    title: str
    ts: int
    value: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        kind = self.kind

        title = self.title

        ts = self.ts

        value = self.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "item_id": item_id,
            "kind": kind,
            "title": title,
            "ts": ts,
            "value": value,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        item_id = d.pop("item_id")

        kind = d.pop("kind")

        title = d.pop("title")

        ts = d.pop("ts")

        value = d.pop("value")

        history_item = cls(
            item_id=item_id,
            kind=kind,
            title=title,
            ts=ts,
            value=value,
        )


        history_item.additional_properties = d
        return history_item

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
