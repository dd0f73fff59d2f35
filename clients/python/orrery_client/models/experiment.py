from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.experiment_status import ExperimentStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.variant import Variant





T = TypeVar("T", bound="Experiment")



@_attrs_define
class Experiment:
    """ An experiment.

        Attributes:
            created_at (int): When it was created (Unix seconds).
            description (str): What it tests.
            id (str): Its id.
            status (ExperimentStatus): Where an experiment is in its life.
            variants (list[Variant]): Its variants; the first is the control.
            ended_at (int | None | Unset): When it stopped (Unix seconds).
            started_at (int | None | Unset): When it first ran (Unix seconds).
     """

    created_at: int
    description: str
    id: str
    status: ExperimentStatus
    variants: list[Variant]
    ended_at: int | None | Unset = UNSET
    started_at: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.variant import Variant # noqa: PLC0415
        created_at = self.created_at

        description = self.description

        id = self.id

        status = self.status.value

        variants = []
        for variants_item_data in self.variants:
            variants_item = variants_item_data.to_dict()
            variants.append(variants_item)



        ended_at: int | None | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        else:
            ended_at = self.ended_at

        started_at: int | None | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        else:
            started_at = self.started_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "description": description,
            "id": id,
            "status": status,
            "variants": variants,
        })
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.variant import Variant # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("created_at")

        description = d.pop("description")

        id = d.pop("id")

        status = ExperimentStatus(d.pop("status"))




        variants = []
        _variants = d.pop("variants")
        for variants_item_data in (_variants):
            variants_item = Variant.from_dict(variants_item_data)



            variants.append(variants_item)


        def _parse_ended_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ended_at = _parse_ended_at(d.pop("ended_at", UNSET))


        def _parse_started_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))


        experiment = cls(
            created_at=created_at,
            description=description,
            id=id,
            status=status,
            variants=variants,
            ended_at=ended_at,
            started_at=started_at,
        )


        experiment.additional_properties = d
        return experiment

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
