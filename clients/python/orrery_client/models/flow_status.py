from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.prior_origin import PriorOrigin
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.flow_status_settings import FlowStatusSettings
  from ..models.index_status import IndexStatus





T = TypeVar("T", bound="FlowStatus")



@_attrs_define
class FlowStatus:
    """ How the flow is configured and how it retrieves right now (`GET /flow`).

        Attributes:
            catalog_items (int): Live items in the catalog.
            cold_start_threshold (int): Users with fewer interactions than this are ramped from content to the model.
            popularity_prior (float): The popularity prior lists are blended with now.
            popularity_prior_from (PriorOrigin): Where the popularity prior of the lists comes from.
            retrieval (str): `exact` (every item scored) or `index` (graph indexes, candidates scored).
            settings (FlowStatusSettings): Candidates per source, the exact threshold and the presets.
            stages (list[str]): The stages a list goes through, in order.
            content_index (None | str | Unset): How the content index searches: `exact` or `hnsw` (absent without vectors).
            model_index (IndexStatus | None | Unset):
     """

    catalog_items: int
    cold_start_threshold: int
    popularity_prior: float
    popularity_prior_from: PriorOrigin
    retrieval: str
    settings: FlowStatusSettings
    stages: list[str]
    content_index: None | str | Unset = UNSET
    model_index: IndexStatus | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.flow_status_settings import FlowStatusSettings # noqa: PLC0415
        from ..models.index_status import IndexStatus # noqa: PLC0415
        catalog_items = self.catalog_items

        cold_start_threshold = self.cold_start_threshold

        popularity_prior = self.popularity_prior

        popularity_prior_from = self.popularity_prior_from.value

        retrieval = self.retrieval

        settings = self.settings.to_dict()

        stages = self.stages



        content_index: None | str | Unset
        if isinstance(self.content_index, Unset):
            content_index = UNSET
        else:
            content_index = self.content_index

        model_index: dict[str, Any] | None | Unset
        if isinstance(self.model_index, Unset):
            model_index = UNSET
        elif isinstance(self.model_index, IndexStatus):
            model_index = self.model_index.to_dict()
        else:
            model_index = self.model_index


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "catalog_items": catalog_items,
            "cold_start_threshold": cold_start_threshold,
            "popularity_prior": popularity_prior,
            "popularity_prior_from": popularity_prior_from,
            "retrieval": retrieval,
            "settings": settings,
            "stages": stages,
        })
        if content_index is not UNSET:
            field_dict["content_index"] = content_index
        if model_index is not UNSET:
            field_dict["model_index"] = model_index

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.flow_status_settings import FlowStatusSettings # noqa: PLC0415
        from ..models.index_status import IndexStatus # noqa: PLC0415
        d = dict(src_dict)
        catalog_items = d.pop("catalog_items")

        cold_start_threshold = d.pop("cold_start_threshold")

        popularity_prior = d.pop("popularity_prior")

        popularity_prior_from = PriorOrigin(d.pop("popularity_prior_from"))




        retrieval = d.pop("retrieval")

        settings = FlowStatusSettings.from_dict(d.pop("settings"))




        stages = cast(list[str], d.pop("stages"))


        def _parse_content_index(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content_index = _parse_content_index(d.pop("content_index", UNSET))


        def _parse_model_index(data: object) -> IndexStatus | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                model_index_type_0 = IndexStatus.from_dict(data)



                return model_index_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(IndexStatus | None | Unset, data)

        model_index = _parse_model_index(d.pop("model_index", UNSET))


        flow_status = cls(
            catalog_items=catalog_items,
            cold_start_threshold=cold_start_threshold,
            popularity_prior=popularity_prior,
            popularity_prior_from=popularity_prior_from,
            retrieval=retrieval,
            settings=settings,
            stages=stages,
            content_index=content_index,
            model_index=model_index,
        )


        flow_status.additional_properties = d
        return flow_status

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
