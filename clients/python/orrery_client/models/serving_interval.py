from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ServingInterval")



@_attrs_define
class ServingInterval:
    """ The recommendation routes over one interval.

        Attributes:
            errors (int): Answers with a 5xx status.
            requests (int): Requests answered.
            requests_per_second (float): Requests per second over the interval.
            start (int): Unix second the interval starts at.
            p50_ms (float | None | Unset): Median latency in milliseconds (absent without requests).
            p99_ms (float | None | Unset): 99th percentile latency in milliseconds.
     """

    errors: int
    requests: int
    requests_per_second: float
    start: int
    p50_ms: float | None | Unset = UNSET
    p99_ms: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        errors = self.errors

        requests = self.requests

        requests_per_second = self.requests_per_second

        start = self.start

        p50_ms: float | None | Unset
        if isinstance(self.p50_ms, Unset):
            p50_ms = UNSET
        else:
            p50_ms = self.p50_ms

        p99_ms: float | None | Unset
        if isinstance(self.p99_ms, Unset):
            p99_ms = UNSET
        else:
            p99_ms = self.p99_ms


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "errors": errors,
            "requests": requests,
            "requests_per_second": requests_per_second,
            "start": start,
        })
        if p50_ms is not UNSET:
            field_dict["p50_ms"] = p50_ms
        if p99_ms is not UNSET:
            field_dict["p99_ms"] = p99_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        errors = d.pop("errors")

        requests = d.pop("requests")

        requests_per_second = d.pop("requests_per_second")

        start = d.pop("start")

        def _parse_p50_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        p50_ms = _parse_p50_ms(d.pop("p50_ms", UNSET))


        def _parse_p99_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        p99_ms = _parse_p99_ms(d.pop("p99_ms", UNSET))


        serving_interval = cls(
            errors=errors,
            requests=requests,
            requests_per_second=requests_per_second,
            start=start,
            p50_ms=p50_ms,
            p99_ms=p99_ms,
        )


        serving_interval.additional_properties = d
        return serving_interval

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
