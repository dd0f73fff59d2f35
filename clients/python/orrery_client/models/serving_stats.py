from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.serving_interval import ServingInterval
  from ..models.serving_route import ServingRoute





T = TypeVar("T", bound="ServingStats")



@_attrs_define
class ServingStats:
    """ Serving counters.

        Attributes:
            intervals (list[ServingInterval]): The recommendation routes (lists, cold start, similar items, predictions,
                explanations) per interval, oldest first, ending now.
            routes (list[ServingRoute]): Every route since the start, busiest first.
            step_seconds (int): Seconds per interval.
            uptime_seconds (float): Seconds since the server started.
     """

    intervals: list[ServingInterval]
    routes: list[ServingRoute]
    step_seconds: int
    uptime_seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.serving_interval import ServingInterval # noqa: PLC0415
        from ..models.serving_route import ServingRoute # noqa: PLC0415
        intervals = []
        for intervals_item_data in self.intervals:
            intervals_item = intervals_item_data.to_dict()
            intervals.append(intervals_item)



        routes = []
        for routes_item_data in self.routes:
            routes_item = routes_item_data.to_dict()
            routes.append(routes_item)



        step_seconds = self.step_seconds

        uptime_seconds = self.uptime_seconds


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "intervals": intervals,
            "routes": routes,
            "step_seconds": step_seconds,
            "uptime_seconds": uptime_seconds,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.serving_interval import ServingInterval # noqa: PLC0415
        from ..models.serving_route import ServingRoute # noqa: PLC0415
        d = dict(src_dict)
        intervals = []
        _intervals = d.pop("intervals")
        for intervals_item_data in (_intervals):
            intervals_item = ServingInterval.from_dict(intervals_item_data)



            intervals.append(intervals_item)


        routes = []
        _routes = d.pop("routes")
        for routes_item_data in (_routes):
            routes_item = ServingRoute.from_dict(routes_item_data)



            routes.append(routes_item)


        step_seconds = d.pop("step_seconds")

        uptime_seconds = d.pop("uptime_seconds")

        serving_stats = cls(
            intervals=intervals,
            routes=routes,
            step_seconds=step_seconds,
            uptime_seconds=uptime_seconds,
        )


        serving_stats.additional_properties = d
        return serving_stats

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
