from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.history_entry_metrics import HistoryEntryMetrics





T = TypeVar("T", bound="HistoryEntry")



@_attrs_define
class HistoryEntry:
    """ One evaluated version.

        Attributes:
            algorithm (str): Its algorithm.
            metrics (HistoryEntryMetrics): Its metrics.
            recorded_at (int): Unix seconds.
            version (int): The version (it may since have been deleted).
     """

    algorithm: str
    metrics: HistoryEntryMetrics
    recorded_at: int
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.history_entry_metrics import HistoryEntryMetrics # noqa: PLC0415
        algorithm = self.algorithm

        metrics = self.metrics.to_dict()

        recorded_at = self.recorded_at

        version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "metrics": metrics,
            "recorded_at": recorded_at,
            "version": version,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.history_entry_metrics import HistoryEntryMetrics # noqa: PLC0415
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        metrics = HistoryEntryMetrics.from_dict(d.pop("metrics"))




        recorded_at = d.pop("recorded_at")

        version = d.pop("version")

        history_entry = cls(
            algorithm=algorithm,
            metrics=metrics,
            recorded_at=recorded_at,
            version=version,
        )


        history_entry.additional_properties = d
        return history_entry

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
