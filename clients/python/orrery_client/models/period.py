from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Period")



@_attrs_define
class Period:
    """ One variant's figures over one period, for charts.

        Attributes:
            conversion (float): Converted items over items shown.
            ctr (float): Clicked items over items shown.
            items_shown (int): Items shown.
            lists (int): Lists served.
            start (int): The period's start (Unix seconds).
            variant (str): The variant.
     """

    conversion: float
    ctr: float
    items_shown: int
    lists: int
    start: int
    variant: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        conversion = self.conversion

        ctr = self.ctr

        items_shown = self.items_shown

        lists = self.lists

        start = self.start

        variant = self.variant


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "conversion": conversion,
            "ctr": ctr,
            "items_shown": items_shown,
            "lists": lists,
            "start": start,
            "variant": variant,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        conversion = d.pop("conversion")

        ctr = d.pop("ctr")

        items_shown = d.pop("items_shown")

        lists = d.pop("lists")

        start = d.pop("start")

        variant = d.pop("variant")

        period = cls(
            conversion=conversion,
            ctr=ctr,
            items_shown=items_shown,
            lists=lists,
            start=start,
            variant=variant,
        )


        period.additional_properties = d
        return period

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
