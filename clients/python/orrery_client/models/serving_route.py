from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ServingRoute")



@_attrs_define
class ServingRoute:
    """ One route since the server started.

        Attributes:
            errors (int): Answers with a 5xx status.
            method (str): HTTP method.
            recommendation (bool): Whether it counts as a recommendation route in `intervals`.
            requests (int): Requests answered.
            route (str): The route as registered, e.g. `/recommendations/{user_id}`.
            mean_ms (float | None | Unset): Mean latency in milliseconds.
     """

    errors: int
    method: str
    recommendation: bool
    requests: int
    route: str
    mean_ms: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        errors = self.errors

        method = self.method

        recommendation = self.recommendation

        requests = self.requests

        route = self.route

        mean_ms: float | None | Unset
        if isinstance(self.mean_ms, Unset):
            mean_ms = UNSET
        else:
            mean_ms = self.mean_ms


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "errors": errors,
            "method": method,
            "recommendation": recommendation,
            "requests": requests,
            "route": route,
        })
        if mean_ms is not UNSET:
            field_dict["mean_ms"] = mean_ms

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        errors = d.pop("errors")

        method = d.pop("method")

        recommendation = d.pop("recommendation")

        requests = d.pop("requests")

        route = d.pop("route")

        def _parse_mean_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mean_ms = _parse_mean_ms(d.pop("mean_ms", UNSET))


        serving_route = cls(
            errors=errors,
            method=method,
            recommendation=recommendation,
            requests=requests,
            route=route,
            mean_ms=mean_ms,
        )


        serving_route.additional_properties = d
        return serving_route

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
