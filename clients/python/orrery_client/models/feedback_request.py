from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.feedback_type import FeedbackType
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="FeedbackRequest")



@_attrs_define
class FeedbackRequest:
    """ Feedback on an item: positive, negative or neutral.

        Attributes:
            content_id (str): The content.
            feedback_type (FeedbackType): Kinds of feedback.
            user_id (str): The user.
            recommendation_id (None | str | Unset): The `recommendation_id` of the served list that showed the item, when
                the client
                has it: the interaction counts as that list's outcome (without it, the user's
                latest list showing the item within the attribution window is credited).
     """

    content_id: str
    feedback_type: FeedbackType
    user_id: str
    recommendation_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        content_id = self.content_id

        feedback_type = self.feedback_type.value

        user_id = self.user_id

        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content_id": content_id,
            "feedback_type": feedback_type,
            "user_id": user_id,
        })
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content_id = d.pop("content_id")

        feedback_type = FeedbackType(d.pop("feedback_type"))




        user_id = d.pop("user_id")

        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        feedback_request = cls(
            content_id=content_id,
            feedback_type=feedback_type,
            user_id=user_id,
            recommendation_id=recommendation_id,
        )


        feedback_request.additional_properties = d
        return feedback_request

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
