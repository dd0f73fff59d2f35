from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.influence import Influence
  from ..models.shared_category import SharedCategory
  from ..models.similar_user import SimilarUser





T = TypeVar("T", bound="Explanation")



@_attrs_define
class Explanation:
    """ Why a user gets the score they get for an item.

        Attributes:
            algorithm (str): The model's algorithm.
            contribution_kind (str): `additive` (contributions sum to score − baseline) or `similarity`.
            item_id (str): The item.
            model_version (int): The model version.
            pulled_down_by (list[Influence]): History items that lower it.
            pulled_up_by (list[Influence]): History items that raise the score, largest first.
            score (float): The model's score.
            shared_categories (list[SharedCategory]): Categories of the item among those the user likes.
            similar_users (list[SimilarUser]): Similar users who liked the item, most similar first.
            summary (str): One sentence.
            title (str): Its title.
            user_id (str): The user.
            baseline (float | None | Unset): The part of the score that does not depend on the user's history (global mean
                and
                item bias), for models that decompose their scores.
            predicted_rating (float | None | Unset): The predicted rating, for rating models.
     """

    algorithm: str
    contribution_kind: str
    item_id: str
    model_version: int
    pulled_down_by: list[Influence]
    pulled_up_by: list[Influence]
    score: float
    shared_categories: list[SharedCategory]
    similar_users: list[SimilarUser]
    summary: str
    title: str
    user_id: str
    baseline: float | None | Unset = UNSET
    predicted_rating: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.influence import Influence # noqa: PLC0415
        from ..models.shared_category import SharedCategory # noqa: PLC0415
        from ..models.similar_user import SimilarUser # noqa: PLC0415
        algorithm = self.algorithm

        contribution_kind = self.contribution_kind

        item_id = self.item_id

        model_version = self.model_version

        pulled_down_by = []
        for pulled_down_by_item_data in self.pulled_down_by:
            pulled_down_by_item = pulled_down_by_item_data.to_dict()
            pulled_down_by.append(pulled_down_by_item)



        pulled_up_by = []
        for pulled_up_by_item_data in self.pulled_up_by:
            pulled_up_by_item = pulled_up_by_item_data.to_dict()
            pulled_up_by.append(pulled_up_by_item)



        score = self.score

        shared_categories = []
        for shared_categories_item_data in self.shared_categories:
            shared_categories_item = shared_categories_item_data.to_dict()
            shared_categories.append(shared_categories_item)



        similar_users = []
        for similar_users_item_data in self.similar_users:
            similar_users_item = similar_users_item_data.to_dict()
            similar_users.append(similar_users_item)



        summary = self.summary

        title = self.title

        user_id = self.user_id

        baseline: float | None | Unset
        if isinstance(self.baseline, Unset):
            baseline = UNSET
        else:
            baseline = self.baseline

        predicted_rating: float | None | Unset
        if isinstance(self.predicted_rating, Unset):
            predicted_rating = UNSET
        else:
            predicted_rating = self.predicted_rating


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithm": algorithm,
            "contribution_kind": contribution_kind,
            "item_id": item_id,
            "model_version": model_version,
            "pulled_down_by": pulled_down_by,
            "pulled_up_by": pulled_up_by,
            "score": score,
            "shared_categories": shared_categories,
            "similar_users": similar_users,
            "summary": summary,
            "title": title,
            "user_id": user_id,
        })
        if baseline is not UNSET:
            field_dict["baseline"] = baseline
        if predicted_rating is not UNSET:
            field_dict["predicted_rating"] = predicted_rating

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.influence import Influence # noqa: PLC0415
        from ..models.shared_category import SharedCategory # noqa: PLC0415
        from ..models.similar_user import SimilarUser # noqa: PLC0415
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        contribution_kind = d.pop("contribution_kind")

        item_id = d.pop("item_id")

        model_version = d.pop("model_version")

        pulled_down_by = []
        _pulled_down_by = d.pop("pulled_down_by")
        for pulled_down_by_item_data in (_pulled_down_by):
            pulled_down_by_item = Influence.from_dict(pulled_down_by_item_data)



            pulled_down_by.append(pulled_down_by_item)


        pulled_up_by = []
        _pulled_up_by = d.pop("pulled_up_by")
        for pulled_up_by_item_data in (_pulled_up_by):
            pulled_up_by_item = Influence.from_dict(pulled_up_by_item_data)



            pulled_up_by.append(pulled_up_by_item)


        score = d.pop("score")

        shared_categories = []
        _shared_categories = d.pop("shared_categories")
        for shared_categories_item_data in (_shared_categories):
            shared_categories_item = SharedCategory.from_dict(shared_categories_item_data)



            shared_categories.append(shared_categories_item)


        similar_users = []
        _similar_users = d.pop("similar_users")
        for similar_users_item_data in (_similar_users):
            similar_users_item = SimilarUser.from_dict(similar_users_item_data)



            similar_users.append(similar_users_item)


        summary = d.pop("summary")

        title = d.pop("title")

        user_id = d.pop("user_id")

        def _parse_baseline(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        baseline = _parse_baseline(d.pop("baseline", UNSET))


        def _parse_predicted_rating(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        predicted_rating = _parse_predicted_rating(d.pop("predicted_rating", UNSET))


        explanation = cls(
            algorithm=algorithm,
            contribution_kind=contribution_kind,
            item_id=item_id,
            model_version=model_version,
            pulled_down_by=pulled_down_by,
            pulled_up_by=pulled_up_by,
            score=score,
            shared_categories=shared_categories,
            similar_users=similar_users,
            summary=summary,
            title=title,
            user_id=user_id,
            baseline=baseline,
            predicted_rating=predicted_rating,
        )


        explanation.additional_properties = d
        return explanation

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
