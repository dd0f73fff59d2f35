from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_kind import SourceKind
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DataSource")



@_attrs_define
class DataSource:
    """ The data source of a run and why it was chosen.

        Attributes:
            interactions (int): Interactions on celestial items.
            kind (SourceKind): Where the data of a run came from.
            reason (str): Why: what the store holds against the thresholds.
            users (int): Users with celestial interactions.
            seed (int | None | Unset): The simulation's seed (repeat the run with it), for simulated data.
     """

    interactions: int
    kind: SourceKind
    reason: str
    users: int
    seed: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        interactions = self.interactions

        kind = self.kind.value

        reason = self.reason

        users = self.users

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "interactions": interactions,
            "kind": kind,
            "reason": reason,
            "users": users,
        })
        if seed is not UNSET:
            field_dict["seed"] = seed

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        interactions = d.pop("interactions")

        kind = SourceKind(d.pop("kind"))




        reason = d.pop("reason")

        users = d.pop("users")

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))


        data_source = cls(
            interactions=interactions,
            kind=kind,
            reason=reason,
            users=users,
            seed=seed,
        )


        data_source.additional_properties = d
        return data_source

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
