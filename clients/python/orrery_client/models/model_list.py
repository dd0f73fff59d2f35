from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.model_out import ModelOut





T = TypeVar("T", bound="ModelList")



@_attrs_define
class ModelList:
    """ The registry.

        Attributes:
            keep (int): Versions kept (pinned and active ones are never pruned).
            models (list[ModelOut]): Versions, newest first.
            active_version (int | None | Unset): The active version lists are ranked with: the active ranking version, else
                the
                active rating version.
            rating_version (int | None | Unset): The active rating version (predicted ratings), if any.
     """

    keep: int
    models: list[ModelOut]
    active_version: int | None | Unset = UNSET
    rating_version: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.model_out import ModelOut # noqa: PLC0415
        keep = self.keep

        models = []
        for models_item_data in self.models:
            models_item = models_item_data.to_dict()
            models.append(models_item)



        active_version: int | None | Unset
        if isinstance(self.active_version, Unset):
            active_version = UNSET
        else:
            active_version = self.active_version

        rating_version: int | None | Unset
        if isinstance(self.rating_version, Unset):
            rating_version = UNSET
        else:
            rating_version = self.rating_version


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "keep": keep,
            "models": models,
        })
        if active_version is not UNSET:
            field_dict["active_version"] = active_version
        if rating_version is not UNSET:
            field_dict["rating_version"] = rating_version

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.model_out import ModelOut # noqa: PLC0415
        d = dict(src_dict)
        keep = d.pop("keep")

        models = []
        _models = d.pop("models")
        for models_item_data in (_models):
            models_item = ModelOut.from_dict(models_item_data)



            models.append(models_item)


        def _parse_active_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        active_version = _parse_active_version(d.pop("active_version", UNSET))


        def _parse_rating_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rating_version = _parse_rating_version(d.pop("rating_version", UNSET))


        model_list = cls(
            keep=keep,
            models=models,
            active_version=active_version,
            rating_version=rating_version,
        )


        model_list.additional_properties = d
        return model_list

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
