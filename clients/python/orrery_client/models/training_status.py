from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.run_progress import RunProgress
  from ..models.run_summary import RunSummary





T = TypeVar("T", bound="TrainingStatus")



@_attrs_define
class TrainingStatus:
    """ The training-status document.

        Attributes:
            running (bool): Whether a training is running.
            current (None | RunProgress | Unset):
            last (None | RunSummary | Unset):
     """

    running: bool
    current: None | RunProgress | Unset = UNSET
    last: None | RunSummary | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.run_progress import RunProgress # noqa: PLC0415
        from ..models.run_summary import RunSummary # noqa: PLC0415
        running = self.running

        current: dict[str, Any] | None | Unset
        if isinstance(self.current, Unset):
            current = UNSET
        elif isinstance(self.current, RunProgress):
            current = self.current.to_dict()
        else:
            current = self.current

        last: dict[str, Any] | None | Unset
        if isinstance(self.last, Unset):
            last = UNSET
        elif isinstance(self.last, RunSummary):
            last = self.last.to_dict()
        else:
            last = self.last


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "running": running,
        })
        if current is not UNSET:
            field_dict["current"] = current
        if last is not UNSET:
            field_dict["last"] = last

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_progress import RunProgress # noqa: PLC0415
        from ..models.run_summary import RunSummary # noqa: PLC0415
        d = dict(src_dict)
        running = d.pop("running")

        def _parse_current(data: object) -> None | RunProgress | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                current_type_0 = RunProgress.from_dict(data)



                return current_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunProgress | Unset, data)

        current = _parse_current(d.pop("current", UNSET))


        def _parse_last(data: object) -> None | RunSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_type_0 = RunSummary.from_dict(data)



                return last_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunSummary | Unset, data)

        last = _parse_last(d.pop("last", UNSET))


        training_status = cls(
            running=running,
            current=current,
            last=last,
        )


        training_status.additional_properties = d
        return training_status

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
