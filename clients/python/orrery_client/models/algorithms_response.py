from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.algorithm_out import AlgorithmOut





T = TypeVar("T", bound="AlgorithmsResponse")



@_attrs_define
class AlgorithmsResponse:
    """ The algorithms.

        Attributes:
            algorithms (list[AlgorithmOut]): `auto` first (no parameters: `POST /training/train` without an algorithm trains
                the best of als, ease and itemknn by NDCG@10 on a held-out split of the store), then
                every algorithm in documentation order.
            default (str): What the form starts on: `auto`, what training with nothing named does.
     """

    algorithms: list[AlgorithmOut]
    default: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.algorithm_out import AlgorithmOut # noqa: PLC0415
        algorithms = []
        for algorithms_item_data in self.algorithms:
            algorithms_item = algorithms_item_data.to_dict()
            algorithms.append(algorithms_item)



        default = self.default


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "algorithms": algorithms,
            "default": default,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.algorithm_out import AlgorithmOut # noqa: PLC0415
        d = dict(src_dict)
        algorithms = []
        _algorithms = d.pop("algorithms")
        for algorithms_item_data in (_algorithms):
            algorithms_item = AlgorithmOut.from_dict(algorithms_item_data)



            algorithms.append(algorithms_item)


        default = d.pop("default")

        algorithms_response = cls(
            algorithms=algorithms,
            default=default,
        )


        algorithms_response.additional_properties = d
        return algorithms_response

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
