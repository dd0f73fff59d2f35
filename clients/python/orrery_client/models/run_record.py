from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.run_record_params import RunRecordParams





T = TypeVar("T", bound="RunRecord")



@_attrs_define
class RunRecord:
    """ A training run and its outcome.

        Attributes:
            algorithm (str): Algorithm.
            id (int): Run number.
            params (RunRecordParams): Parameters asked for.
            started_at (int): Unix seconds.
            status (str): `running`, `succeeded` or `failed`.
            duration_seconds (int | None | Unset): Seconds from start to end (so far, while running).
            error (None | str | Unset): Why it failed.
            finished_at (int | None | Unset): Unix seconds.
            version (int | None | Unset): The version it stored.
     """

    algorithm: str
    id: int
    params: RunRecordParams
    started_at: int
    status: str
    duration_seconds: int | None | Unset = UNSET
    error: None | str | Unset = UNSET
    finished_at: int | None | Unset = UNSET
    version: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.run_record_params import RunRecordParams # noqa: PLC0415
        algorithm = self.algorithm

        id = self.id

        params = self.params.to_dict()

        started_at = self.started_at

        status = self.status

        duration_seconds: int | None | Unset
        if isinstance(self.duration_seconds, Unset):
            duration_seconds = UNSET
        else:
            duration_seconds = self.duration_seconds

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        finished_at: int | None | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = self.finished_at

        version: int | None | Unset
        if isinstance(self.version, Unset):
            version = UNSET
        else:
            version = self.version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "id": id,
            "params": params,
            "started_at": started_at,
            "status": status,
        })
        if duration_seconds is not UNSET:
            field_dict["duration_seconds"] = duration_seconds
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if version is not UNSET:
            field_dict["version"] = version

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_record_params import RunRecordParams # noqa: PLC0415
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        id = d.pop("id")

        params = RunRecordParams.from_dict(d.pop("params"))




        started_at = d.pop("started_at")

        status = d.pop("status")

        def _parse_duration_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds", UNSET))


        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_finished_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))


        def _parse_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        version = _parse_version(d.pop("version", UNSET))


        run_record = cls(
            algorithm=algorithm,
            id=id,
            params=params,
            started_at=started_at,
            status=status,
            duration_seconds=duration_seconds,
            error=error,
            finished_at=finished_at,
            version=version,
        )


        run_record.additional_properties = d
        return run_record

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
