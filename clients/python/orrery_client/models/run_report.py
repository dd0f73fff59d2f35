from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.data_source import DataSource
  from ..models.run_report_quality import RunReportQuality





T = TypeVar("T", bound="RunReport")



@_attrs_define
class RunReport:
    """ The answer of one run.

        Attributes:
            columns (list[str]): The CSV header.
            data_source (DataSource): The data source of a run and why it was chosen.
            duration_seconds (float): Wall time of the run, data gathering included.
            layer (int): 2, 3 or 4.
            notes (list[str]): Anything worth knowing about how the layer read the data.
            output_file (str): The CSV file written.
            quality (RunReportQuality): The layer's quality figures by name (see each layer's documentation).
            rows (int): Data rows written (the header not counted).
     """

    columns: list[str]
    data_source: DataSource
    duration_seconds: float
    layer: int
    notes: list[str]
    output_file: str
    quality: RunReportQuality
    rows: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.data_source import DataSource # noqa: PLC0415
        from ..models.run_report_quality import RunReportQuality # noqa: PLC0415
        columns = self.columns



        data_source = self.data_source.to_dict()

        duration_seconds = self.duration_seconds

        layer = self.layer

        notes = self.notes



        output_file = self.output_file

        quality = self.quality.to_dict()

        rows = self.rows


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "columns": columns,
            "data_source": data_source,
            "duration_seconds": duration_seconds,
            "layer": layer,
            "notes": notes,
            "output_file": output_file,
            "quality": quality,
            "rows": rows,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.data_source import DataSource # noqa: PLC0415
        from ..models.run_report_quality import RunReportQuality # noqa: PLC0415
        d = dict(src_dict)
        columns = cast(list[str], d.pop("columns"))


        data_source = DataSource.from_dict(d.pop("data_source"))




        duration_seconds = d.pop("duration_seconds")

        layer = d.pop("layer")

        notes = cast(list[str], d.pop("notes"))


        output_file = d.pop("output_file")

        quality = RunReportQuality.from_dict(d.pop("quality"))




        rows = d.pop("rows")

        run_report = cls(
            columns=columns,
            data_source=data_source,
            duration_seconds=duration_seconds,
            layer=layer,
            notes=notes,
            output_file=output_file,
            quality=quality,
            rows=rows,
        )


        run_report.additional_properties = d
        return run_report

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
