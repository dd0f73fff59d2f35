from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="InteractionIn")



@_attrs_define
class InteractionIn:
    """ One interaction. `item_id`, `content_id` and `movie_id` all name the item.

        Attributes:
            item_id (str): The item.
            kind (str): `view`, `click`, `like`, `favorite`, `skip`, `view_time`, `rating`, `strength`,
                `play`, `purchase`, or a custom name.
            user_id (str): The user (a number means the same id).
            duration_seconds (float | None | Unset): Seconds spent, for `view_time` events.
            rating (float | None | Unset): The rating, for `rating` events.
            recommendation_id (None | str | Unset): The `recommendation_id` of the served list that showed the item, when
                the client
                has it: the interaction counts as that list's outcome (without it, the user's
                latest list showing the item within the attribution window is credited).
            timestamp (int | None | Unset): Unix seconds (default: now).
            value (float | None | Unset): The rating (1–5), strength, seconds or count, depending on the kind.
     """

    item_id: str
    kind: str
    user_id: str
    duration_seconds: float | None | Unset = UNSET
    rating: float | None | Unset = UNSET
    recommendation_id: None | str | Unset = UNSET
    timestamp: int | None | Unset = UNSET
    value: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        item_id = self.item_id

        kind = self.kind

        user_id = self.user_id

        duration_seconds: float | None | Unset
        if isinstance(self.duration_seconds, Unset):
            duration_seconds = UNSET
        else:
            duration_seconds = self.duration_seconds

        rating: float | None | Unset
        if isinstance(self.rating, Unset):
            rating = UNSET
        else:
            rating = self.rating

        recommendation_id: None | str | Unset
        if isinstance(self.recommendation_id, Unset):
            recommendation_id = UNSET
        else:
            recommendation_id = self.recommendation_id

        timestamp: int | None | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = self.timestamp

        value: float | None | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "item_id": item_id,
            "kind": kind,
            "user_id": user_id,
        })
        if duration_seconds is not UNSET:
            field_dict["duration_seconds"] = duration_seconds
        if rating is not UNSET:
            field_dict["rating"] = rating
        if recommendation_id is not UNSET:
            field_dict["recommendation_id"] = recommendation_id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        item_id = d.pop("item_id")

        kind = d.pop("kind")

        user_id = d.pop("user_id")

        def _parse_duration_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration_seconds = _parse_duration_seconds(d.pop("duration_seconds", UNSET))


        def _parse_rating(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        rating = _parse_rating(d.pop("rating", UNSET))


        def _parse_recommendation_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recommendation_id = _parse_recommendation_id(d.pop("recommendation_id", UNSET))


        def _parse_timestamp(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))


        def _parse_value(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        value = _parse_value(d.pop("value", UNSET))


        interaction_in = cls(
            item_id=item_id,
            kind=kind,
            user_id=user_id,
            duration_seconds=duration_seconds,
            rating=rating,
            recommendation_id=recommendation_id,
            timestamp=timestamp,
            value=value,
        )


        interaction_in.additional_properties = d
        return interaction_in

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
