from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.param_out import ParamOut





T = TypeVar("T", bound="AlgorithmOut")



@_attrs_define
class AlgorithmOut:
    """ An algorithm that `POST /training/train` accepts.

        Attributes:
            name (str): Its name.
            params (list[ParamOut]): Its parameters with their defaults.
            predicts_ratings (bool): Whether it predicts explicit ratings (RMSE and MAE apply).
     """

    name: str
    params: list[ParamOut]
    predicts_ratings: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.param_out import ParamOut # noqa: PLC0415
        name = self.name

        params = []
        for params_item_data in self.params:
            params_item = params_item_data.to_dict()
            params.append(params_item)



        predicts_ratings = self.predicts_ratings


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "params": params,
            "predicts_ratings": predicts_ratings,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.param_out import ParamOut # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        params = []
        _params = d.pop("params")
        for params_item_data in (_params):
            params_item = ParamOut.from_dict(params_item_data)



            params.append(params_item)


        predicts_ratings = d.pop("predicts_ratings")

        algorithm_out = cls(
            name=name,
            params=params,
            predicts_ratings=predicts_ratings,
        )


        algorithm_out.additional_properties = d
        return algorithm_out

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
