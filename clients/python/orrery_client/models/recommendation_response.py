from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.method import Method
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.recommended_item import RecommendedItem





T = TypeVar("T", bound="RecommendationResponse")



@_attrs_define
class RecommendationResponse:
    """ A recommendation list.

        Attributes:
            cf_weight (float): Weight of collaborative filtering in hybrid lists.
            explanation (str): Why, in one sentence.
            interactions (int): The user's stored interactions (onboarding ratings for cold start).
            method (Method): How a list was made.
            recommendations (list[RecommendedItem]): The items, best first.
            timestamp (str): When the list was made (RFC 3339, UTC).
            algorithm (None | str | Unset): Its algorithm.
            experiment (None | str | Unset): The running experiment the user is in (absent outside any).
            model_version (int | None | Unset): The model version used, if any.
            recommendation_id (None | str | Unset): The id this list is recorded under: send it back with the interactions
                it leads
                to (`recommendation_id`), so that they count as its outcomes. Absent when the
                server records no lists.
            user_id (None | str | Unset): The user (absent for cold-start requests without one).
            variant (None | str | Unset): The experiment's variant the list was made for.
     """

    cf_weight: float
    explanation: str
    interactions: int
    method: Method
    recommendations: list[RecommendedItem]
    timestamp: str
    algorithm: None | str | Unset = UNSET
    experiment: None | str | Unset = UNSET
    model_version: int | None | Unset = UNSET
    recommendation_id: None | str | Unset = UNSET
    user_id: None | str | Unset = UNSET
    variant: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.recommended_item import RecommendedItem # noqa: PLC0415
        cf_weight = self.cf_weight

        explanation = self.explanation

        interactions = self.interactions

        method = self.method.value

        recommendations = []
        for recommendations_item_data in self.recommendations:
            recommendations_item = recommendations_item_data.to_dict()
            recommendations.append(recommendations_item)



        timestamp = self.timestamp

        algorithm: None | str | Unset
        if isinstance(self.algorithm, Unset):
            algorithm = UNSET
        else:
            algorithm = self.algorithm

        experiment: None | str | Unset
        if isinstance(self.experiment, Unset):
            experiment = UNSET
        else:
            experiment = self.experiment

        model_version: int | None | Unset
        if isinstance(self.model_version, Unset):
            model_version = UNSET
        else:
            model_version = self.model_version

        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        variant: None | str | Unset
        if isinstance(self.variant, Unset):
            variant = UNSET
        else:
            variant = self.variant


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "cf_weight": cf_weight,
            "explanation": explanation,
            "interactions": interactions,
            "method": method,
            "recommendations": recommendations,
            "timestamp": timestamp,
        })
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if experiment is not UNSET:
            field_dict["experiment"] = experiment
        if model_version is not UNSET:
            field_dict["model_version"] = model_version
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if variant is not UNSET:
            field_dict["variant"] = variant

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.recommended_item import RecommendedItem # noqa: PLC0415
        d = dict(src_dict)
        cf_weight = d.pop("cf_weight")

        explanation = d.pop("explanation")

        interactions = d.pop("interactions")

        method = Method(d.pop("method"))




        recommendations = []
        _recommendations = d.pop("recommendations")
        for recommendations_item_data in (_recommendations):
            recommendations_item = RecommendedItem.from_dict(recommendations_item_data)



            recommendations.append(recommendations_item)


        timestamp = d.pop("timestamp")

        def _parse_algorithm(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        algorithm = _parse_algorithm(d.pop("algorithm", UNSET))


        def _parse_experiment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        experiment = _parse_experiment(d.pop("experiment", UNSET))


        def _parse_model_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        model_version = _parse_model_version(d.pop("model_version", UNSET))


        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))


        def _parse_variant(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        variant = _parse_variant(d.pop("variant", UNSET))


        recommendation_response = cls(
            cf_weight=cf_weight,
            explanation=explanation,
            interactions=interactions,
            method=method,
            recommendations=recommendations,
            timestamp=timestamp,
            algorithm=algorithm,
            experiment=experiment,
            model_version=model_version,
            recommendation_id=recommendation_id,
            user_id=user_id,
            variant=variant,
        )


        recommendation_response.additional_properties = d
        return recommendation_response

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
