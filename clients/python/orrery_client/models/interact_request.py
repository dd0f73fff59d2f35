from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="InteractRequest")



@_attrs_define
class InteractRequest:
    """ An interaction sent to `POST /recommendations/interact`.

        Attributes:
            content_id (str): The content.
            interaction_type (str): `click`, `like`, `skip`, `view` or `view_time`.
            user_id (str): The user.
            duration_seconds (float | None | Unset): Seconds spent on the item (any kind; stored as the interaction's
                value).
            recommendation_id (None | str | Unset): The `recommendation_id` of the served list that showed the item, when
                the client
                has it: the interaction counts as that list's outcome (without it, the user's
                latest list showing the item within the attribution window is credited).
     """

    content_id: str
    interaction_type: str
    user_id: str
    duration_seconds: float | None | Unset = UNSET
    recommendation_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        content_id = self.content_id

        interaction_type = self.interaction_type

        user_id = self.user_id

        duration_seconds: float | None | Unset
        if isinstance(self.duration_seconds, Unset):
            duration_seconds = UNSET
        else:
            duration_seconds = self.duration_seconds

        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content_id": content_id,
            "interaction_type": interaction_type,
            "user_id": user_id,
        })
        if duration_seconds is not UNSET:
            field_dict["duration_seconds"] = duration_seconds
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content_id = d.pop("content_id")

        interaction_type = d.pop("interaction_type")

        user_id = d.pop("user_id")

        def _parse_duration_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds", UNSET))


        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        interact_request = cls(
            content_id=content_id,
            interaction_type=interaction_type,
            user_id=user_id,
            duration_seconds=duration_seconds,
            recommendation_id=recommendation_id,
        )


        interact_request.additional_properties = d
        return interact_request

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
