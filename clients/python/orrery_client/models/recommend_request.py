from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RecommendRequest")



@_attrs_define
class RecommendRequest:
    """ A recommendation request.

        Attributes:
            user_id (str): The user.
            boost (None | str | Unset): Score multipliers, e.g. `tag:new * 1.2, genre = 'Horror' * 0.5`.
            category (None | str | Unset): Only items in this category.
            cf_weight (float | Unset): Weight of collaborative filtering, 0–1 (default 0.5); content has the rest.
            exclude (list[str] | Unset): Items never to return.
            filter_ (None | str | Unset): Only items this expression admits, e.g. `category in ['Star','Planet'] and year >=
                1990`
                (see docs/flow.md).
            mmr_lambda (float | None | Unset): Diversity re-ranking (maximal marginal relevance): λ in (0, 1], 1 = none
                (default).
            n_recommendations (int | Unset): Items to return (1–500, default 10).
            pin (list[str] | Unset): Item ids placed at the top of the list in this order, each when the other rules
                admit it (live, unseen, not excluded, passing the filters).
            preset (None | str | Unset): A named rule preset of `[flow.presets]` in `orrery.toml`.
            use_cf (bool | Unset): Use collaborative filtering (default true).
            use_embeddings (bool | Unset): Use content similarity from the items' text embeddings (default true).
     """

    user_id: str
    boost: None | str | Unset = UNSET
    category: None | str | Unset = UNSET
    cf_weight: float | Unset = UNSET
    exclude: list[str] | Unset = UNSET
    filter_: None | str | Unset = UNSET
    mmr_lambda: float | None | Unset = UNSET
    n_recommendations: int | Unset = UNSET
    pin: list[str] | Unset = UNSET
    preset: None | str | Unset = UNSET
    use_cf: bool | Unset = UNSET
    use_embeddings: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        boost: None | str | Unset
        if isinstance(self.boost, Unset):
            boost = UNSET
        else:
            boost = self.boost

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        cf_weight = self.cf_weight

        exclude: list[str] | Unset = UNSET
        if not isinstance(self.exclude, Unset):
            exclude = self.exclude



        filter_: None | str | Unset
        if isinstance(self.filter_, Unset):
            filter_ = UNSET
        else:
            filter_ = self.filter_

        mmr_lambda: float | None | Unset
        if isinstance(self.mmr_lambda, Unset):
            mmr_lambda = UNSET
        else:
            mmr_lambda = self.mmr_lambda

        n_recommendations = self.n_recommendations

        pin: list[str] | Unset = UNSET
        if not isinstance(self.pin, Unset):
            pin = self.pin



        preset: None | str | Unset
        if isinstance(self.preset, Unset):
            preset = UNSET
        else:
            preset = self.preset

        use_cf = self.use_cf

        use_embeddings = self.use_embeddings


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "user_id": user_id,
        })
        if boost is not UNSET:
            field_dict["boost"] = boost
        if category is not UNSET:
            field_dict["category"] = category
        if cf_weight is not UNSET:
            field_dict["cf_weight"] = cf_weight
        if exclude is not UNSET:
            field_dict["exclude"] = exclude
        if filter_ is not UNSET:
            field_dict["filter"] = filter_
        if mmr_lambda is not UNSET:
            field_dict["mmr_lambda"] = mmr_lambda
        if n_recommendations is not UNSET:
            field_dict["n_recommendations"] = n_recommendations
        if pin is not UNSET:
            field_dict["pin"] = pin
        if preset is not UNSET:
            field_dict["preset"] = preset
        if use_cf is not UNSET:
            field_dict["use_cf"] = use_cf
        if use_embeddings is not UNSET:
            field_dict["use_embeddings"] = use_embeddings

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_id = d.pop("user_id")

        def _parse_boost(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        boost = _parse_boost(d.pop("boost", UNSET))


        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))


        cf_weight = d.pop("cf_weight", UNSET)

        exclude = cast(list[str], d.pop("exclude", UNSET))


        def _parse_filter_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filter_ = _parse_filter_(d.pop("filter", UNSET))


        def _parse_mmr_lambda(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mmr_lambda = _parse_mmr_lambda(d.pop("mmr_lambda", UNSET))


        n_recommendations = d.pop("n_recommendations", UNSET)

        pin = cast(list[str], d.pop("pin", UNSET))


        def _parse_preset(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preset = _parse_preset(d.pop("preset", UNSET))


        use_cf = d.pop("use_cf", UNSET)

        use_embeddings = d.pop("use_embeddings", UNSET)

        recommend_request = cls(
            user_id=user_id,
            boost=boost,
            category=category,
            cf_weight=cf_weight,
            exclude=exclude,
            filter_=filter_,
            mmr_lambda=mmr_lambda,
            n_recommendations=n_recommendations,
            pin=pin,
            preset=preset,
            use_cf=use_cf,
            use_embeddings=use_embeddings,
        )


        recommend_request.additional_properties = d
        return recommend_request

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
