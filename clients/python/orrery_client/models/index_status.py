from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="IndexStatus")



@_attrs_define
class IndexStatus:
    """ The graph index over a model's items.

        Attributes:
            items (int): Items indexed.
            search_list (int): The graph's search list length (ef), widened until that recall reaches 0.97.
            version (int): The model version it indexes.
            recall_at_10 (float | None | Unset): The share of the exact top 10 it finds, measured on a sample of the model's
                users
                when it was built.
     """

    items: int
    search_list: int
    version: int
    recall_at_10: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        items = self.items

        search_list = self.search_list

        version = self.version

        recall_at_10: float | None | Unset
        if isinstance(self.recall_at_10, Unset):
            recall_at_10 = UNSET
        else:
            recall_at_10 = self.recall_at_10


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
            "search_list": search_list,
            "version": version,
        })
        if recall_at_10 is not UNSET:
            field_dict["recall_at_10"] = recall_at_10

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        items = d.pop("items")

        search_list = d.pop("search_list")

        version = d.pop("version")

        def _parse_recall_at_10(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        recall_at_10 = _parse_recall_at_10(d.pop("recall_at_10", UNSET))


        index_status = cls(
            items=items,
            search_list=search_list,
            version=version,
            recall_at_10=recall_at_10,
        )


        index_status.additional_properties = d
        return index_status

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
