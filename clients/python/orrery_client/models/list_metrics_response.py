from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.position_metrics import PositionMetrics
  from ..models.recorder_stats import RecorderStats





T = TypeVar("T", bound="ListMetricsResponse")



@_attrs_define
class ListMetricsResponse:
    """ How the served lists of a period fared.

        Attributes:
            by_position (list[PositionMetrics]): The same by position, the top first.
            clicks (int): Distinct (list, item) pairs clicked (engaged with: any interaction but a skip).
            conversion_rate (float): Conversions per item shown.
            conversions (int): Distinct (list, item) pairs that converted.
            ctr (float): Clicks per item shown.
            items_shown (int): Items shown in them.
            list_ctr (float): Lists with a click per list served.
            lists (int): Lists served.
            lists_clicked (int): Lists with at least one click.
            lists_converted (int): Lists with at least one conversion.
            mrr (float): Mean over lists of 1 / the position of the first click (0 for a list without one).
            recorder (RecorderStats): What the recorder did since the process started.
            since (int): Start of the period (Unix seconds).
            until (int): End of the period (Unix seconds).
     """

    by_position: list[PositionMetrics]
    clicks: int
    conversion_rate: float
    conversions: int
    ctr: float
    items_shown: int
    list_ctr: float
    lists: int
    lists_clicked: int
    lists_converted: int
    mrr: float
    recorder: RecorderStats
    since: int
    until: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.position_metrics import PositionMetrics # noqa: PLC0415
        from ..models.recorder_stats import RecorderStats # noqa: PLC0415
        by_position = []
        for by_position_item_data in self.by_position:
            by_position_item = by_position_item_data.to_dict()
            by_position.append(by_position_item)



        clicks = self.clicks

        conversion_rate = self.conversion_rate

        conversions = self.conversions

        ctr = self.ctr

        items_shown = self.items_shown

        list_ctr = self.list_ctr

        lists = self.lists

        lists_clicked = self.lists_clicked

        lists_converted = self.lists_converted

        mrr = self.mrr

        recorder = self.recorder.to_dict()

        since = self.since

        until = self.until


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "by_position": by_position,
            "clicks": clicks,
            "conversion_rate": conversion_rate,
            "conversions": conversions,
            "ctr": ctr,
            "items_shown": items_shown,
            "list_ctr": list_ctr,
            "lists": lists,
            "lists_clicked": lists_clicked,
            "lists_converted": lists_converted,
            "mrr": mrr,
            "recorder": recorder,
            "since": since,
            "until": until,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.position_metrics import PositionMetrics # noqa: PLC0415
        from ..models.recorder_stats import RecorderStats # noqa: PLC0415
        d = dict(src_dict)
        by_position = []
        _by_position = d.pop("by_position")
        for by_position_item_data in (_by_position):
            by_position_item = PositionMetrics.from_dict(by_position_item_data)



            by_position.append(by_position_item)


        clicks = d.pop("clicks")

        conversion_rate = d.pop("conversion_rate")

        conversions = d.pop("conversions")

        ctr = d.pop("ctr")

        items_shown = d.pop("items_shown")

        list_ctr = d.pop("list_ctr")

        lists = d.pop("lists")

        lists_clicked = d.pop("lists_clicked")

        lists_converted = d.pop("lists_converted")

        mrr = d.pop("mrr")

        recorder = RecorderStats.from_dict(d.pop("recorder"))




        since = d.pop("since")

        until = d.pop("until")

        list_metrics_response = cls(
            by_position=by_position,
            clicks=clicks,
            conversion_rate=conversion_rate,
            conversions=conversions,
            ctr=ctr,
            items_shown=items_shown,
            list_ctr=list_ctr,
            lists=lists,
            lists_clicked=lists_clicked,
            lists_converted=lists_converted,
            mrr=mrr,
            recorder=recorder,
            since=since,
            until=until,
        )


        list_metrics_response.additional_properties = d
        return list_metrics_response

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
