from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="PositionMetrics")



@_attrs_define
class PositionMetrics:
    """ How one position of the lists fared.

        Attributes:
            clicks (int): Clicked there.
            conversions (int): Converted there.
            ctr (float): Clicks per item shown there.
            position (int): 1 is the top of the list.
            shown (int): Lists long enough to show an item there.
     """

    clicks: int
    conversions: int
    ctr: float
    position: int
    shown: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        clicks = self.clicks

        conversions = self.conversions

        ctr = self.ctr

        position = self.position

        shown = self.shown


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "clicks": clicks,
            "conversions": conversions,
            "ctr": ctr,
            "position": position,
            "shown": shown,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        clicks = d.pop("clicks")

        conversions = d.pop("conversions")

        ctr = d.pop("ctr")

        position = d.pop("position")

        shown = d.pop("shown")

        position_metrics = cls(
            clicks=clicks,
            conversions=conversions,
            ctr=ctr,
            position=position,
            shown=shown,
        )


        position_metrics.additional_properties = d
        return position_metrics

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
