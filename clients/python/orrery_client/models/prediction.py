from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Prediction")



@_attrs_define
class Prediction:
    """ A predicted score for one (user, item) pair.

        Attributes:
            algorithm (str): The algorithm.
            item_id (str): The item.
            known_user (bool): Whether the user was in the training data (else their history was folded in).
            model_version (int): The model version.
            score (float): The model's raw score, the number it ranks items by: for a rating model its
                unclipped prediction, which can leave the rating scale (5.15 on a 0.5–5 scale
                ranks above 5.0); for a ranking model a preference on no fixed scale.
            user_id (str): The user.
            predicted_rating (float | None | Unset): The rating a rating model predicts: `score` clipped to the training
                ratings'
                range. Absent for ranking models, whose scores are not ratings.
     """

    algorithm: str
    item_id: str
    known_user: bool
    model_version: int
    score: float
    user_id: str
    predicted_rating: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        algorithm = self.algorithm

        item_id = self.item_id

        known_user = self.known_user

        model_version = self.model_version

        score = self.score

        user_id = self.user_id

        predicted_rating: float | None | Unset
        if isinstance(self.predicted_rating, Unset):
            predicted_rating = UNSET
        else:
            predicted_rating = self.predicted_rating


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "item_id": item_id,
            "known_user": known_user,
            "model_version": model_version,
            "score": score,
            "user_id": user_id,
        })
        if predicted_rating is not UNSET:
            field_dict["predicted_rating"] = predicted_rating

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        item_id = d.pop("item_id")

        known_user = d.pop("known_user")

        model_version = d.pop("model_version")

        score = d.pop("score")

        user_id = d.pop("user_id")

        def _parse_predicted_rating(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        predicted_rating = _parse_predicted_rating(d.pop("predicted_rating", UNSET))


        prediction = cls(
            algorithm=algorithm,
            item_id=item_id,
            known_user=known_user,
            model_version=model_version,
            score=score,
            user_id=user_id,
            predicted_rating=predicted_rating,
        )


        prediction.additional_properties = d
        return prediction

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
