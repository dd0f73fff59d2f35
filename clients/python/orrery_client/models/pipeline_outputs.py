from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.layer_output import LayerOutput





T = TypeVar("T", bound="PipelineOutputs")



@_attrs_define
class PipelineOutputs:
    """ The pipeline's outputs.

        Attributes:
            layers (list[LayerOutput]): Layers 2, 3 and 4.
            out_dir (str): The folder the layers write to.
     """

    layers: list[LayerOutput]
    out_dir: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.layer_output import LayerOutput # noqa: PLC0415
        layers = []
        for layers_item_data in self.layers:
            layers_item = layers_item_data.to_dict()
            layers.append(layers_item)



        out_dir = self.out_dir


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "layers": layers,
            "out_dir": out_dir,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.layer_output import LayerOutput # noqa: PLC0415
        d = dict(src_dict)
        layers = []
        _layers = d.pop("layers")
        for layers_item_data in (_layers):
            layers_item = LayerOutput.from_dict(layers_item_data)



            layers.append(layers_item)


        out_dir = d.pop("out_dir")

        pipeline_outputs = cls(
            layers=layers,
            out_dir=out_dir,
        )


        pipeline_outputs.additional_properties = d
        return pipeline_outputs

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
