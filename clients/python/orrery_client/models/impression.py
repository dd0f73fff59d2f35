from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Impression")



@_attrs_define
class Impression:
    """ A served list, as recorded.

        Attributes:
            items (list[str]): The items, first shown first.
            method (str): How the list was made (the answer's `method`).
            recommendation_id (str): The `recommendation_id` its answer carried.
            served_at_ms (int): When it was served (Unix milliseconds).
            surface (str): Which kind of list: `user`, `cold_start`, `similar`, `onboarding`.
            algorithm (None | str | Unset): Its algorithm.
            experiment (None | str | Unset): The experiment the user was in, if any.
            explored_position (int | None | Unset): The position (1 is the top) of the item the exploration slot placed, if
                any.
            model_version (int | None | Unset): The model version that served it.
            user_id (None | str | Unset): The user it was for (`None` for anonymous requests: cold start without a user,
                similar items, onboarding).
            variant (None | str | Unset): The experiment's variant the user was assigned to.
     """

    items: list[str]
    method: str
    recommendation_id: str
    served_at_ms: int
    surface: str
    algorithm: None | str | Unset = UNSET
    experiment: None | str | Unset = UNSET
    explored_position: int | None | Unset = UNSET
    model_version: int | None | Unset = UNSET
    user_id: None | str | Unset = UNSET
    variant: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        items = self.items



        method = self.method

        recommendation_id = self.recommendation_id

        served_at_ms = self.served_at_ms

        surface = self.surface

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

        explored_position: int | None | Unset
        if isinstance(self.explored_position, Unset):
            explored_position = UNSET
        else:
            explored_position = self.explored_position

        model_version: int | None | Unset
        if isinstance(self.model_version, Unset):
            model_version = UNSET
        else:
            model_version = self.model_version

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
            "items": items,
            "method": method,
            "recommendation_id": recommendation_id,
            "served_at_ms": served_at_ms,
            "surface": surface,
        })
        if algorithm is not UNSET:
            field_dict["algorithm"] = algorithm
        if experiment is not UNSET:
            field_dict["experiment"] = experiment
        if explored_position is not UNSET:
            field_dict["explored_position"] = explored_position
        if model_version is not UNSET:
            field_dict["model_version"] = model_version
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if variant is not UNSET:
            field_dict["variant"] = variant

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        items = cast(list[str], d.pop("items"))


        method = d.pop("method")

        recommendation_id = d.pop("recommendation_id")

        served_at_ms = d.pop("served_at_ms")

        surface = d.pop("surface")

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


        def _parse_explored_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        explored_position = _parse_explored_position(d.pop("explored_position", UNSET))


        def _parse_model_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        model_version = _parse_model_version(d.pop("model_version", UNSET))


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


        impression = cls(
            items=items,
            method=method,
            recommendation_id=recommendation_id,
            served_at_ms=served_at_ms,
            surface=surface,
            algorithm=algorithm,
            experiment=experiment,
            explored_position=explored_position,
            model_version=model_version,
            user_id=user_id,
            variant=variant,
        )


        impression.additional_properties = d
        return impression

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
