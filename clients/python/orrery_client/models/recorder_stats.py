from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="RecorderStats")



@_attrs_define
class RecorderStats:
    """ What the recorder did since the process started.

        Attributes:
            dropped (int): Lists and outcomes dropped because the queue was full.
            failed (int): Lists and outcomes lost because the store refused a batch.
            lists_written (int): Lists written to the store.
            outcomes_written (int): Outcomes attributed to a list and written.
            recording (bool): Whether lists are recorded.
     """

    dropped: int
    failed: int
    lists_written: int
    outcomes_written: int
    recording: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        dropped = self.dropped

        failed = self.failed

        lists_written = self.lists_written

        outcomes_written = self.outcomes_written

        recording = self.recording


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "dropped": dropped,
            "failed": failed,
            "lists_written": lists_written,
            "outcomes_written": outcomes_written,
            "recording": recording,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        dropped = d.pop("dropped")

        failed = d.pop("failed")

        lists_written = d.pop("lists_written")

        outcomes_written = d.pop("outcomes_written")

        recording = d.pop("recording")

        recorder_stats = cls(
            dropped=dropped,
            failed=failed,
            lists_written=lists_written,
            outcomes_written=outcomes_written,
            recording=recording,
        )


        recorder_stats.additional_properties = d
        return recorder_stats

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
