from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.list_metrics_response import ListMetricsResponse
from ...models.metrics_surface import MetricsSurface
from ...models.problem import Problem
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    surface: MetricsSurface | Unset = UNSET,
    experiment: str | Unset = UNSET,
    variant: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["since"] = since

    params["until"] = until

    json_surface: str | Unset = UNSET
    if not isinstance(surface, Unset):
        json_surface = surface.value

    params["surface"] = json_surface

    params["experiment"] = experiment

    params["variant"] = variant


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/impressions/metrics",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ListMetricsResponse | Problem | None:
    if response.status_code == 200:
        response_200 = ListMetricsResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ListMetricsResponse | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    surface: MetricsSurface | Unset = UNSET,
    experiment: str | Unset = UNSET,
    variant: str | Unset = UNSET,

) -> Response[ListMetricsResponse | Problem]:
    """ Click-through rate, conversion and mean reciprocal rank of the first click of the
    lists served in a period, overall and by position.

    Args:
        since (int | Unset):
        until (int | Unset):
        surface (MetricsSurface | Unset): Which kind of list was served.
        experiment (str | Unset):
        variant (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListMetricsResponse | Problem]
     """


    kwargs = _get_kwargs(
        since=since,
until=until,
surface=surface,
experiment=experiment,
variant=variant,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    surface: MetricsSurface | Unset = UNSET,
    experiment: str | Unset = UNSET,
    variant: str | Unset = UNSET,

) -> ListMetricsResponse | Problem | None:
    """ Click-through rate, conversion and mean reciprocal rank of the first click of the
    lists served in a period, overall and by position.

    Args:
        since (int | Unset):
        until (int | Unset):
        surface (MetricsSurface | Unset): Which kind of list was served.
        experiment (str | Unset):
        variant (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListMetricsResponse | Problem
     """


    return sync_detailed(
        client=client,
since=since,
until=until,
surface=surface,
experiment=experiment,
variant=variant,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    surface: MetricsSurface | Unset = UNSET,
    experiment: str | Unset = UNSET,
    variant: str | Unset = UNSET,

) -> Response[ListMetricsResponse | Problem]:
    """ Click-through rate, conversion and mean reciprocal rank of the first click of the
    lists served in a period, overall and by position.

    Args:
        since (int | Unset):
        until (int | Unset):
        surface (MetricsSurface | Unset): Which kind of list was served.
        experiment (str | Unset):
        variant (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListMetricsResponse | Problem]
     """


    kwargs = _get_kwargs(
        since=since,
until=until,
surface=surface,
experiment=experiment,
variant=variant,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    since: int | Unset = UNSET,
    until: int | Unset = UNSET,
    surface: MetricsSurface | Unset = UNSET,
    experiment: str | Unset = UNSET,
    variant: str | Unset = UNSET,

) -> ListMetricsResponse | Problem | None:
    """ Click-through rate, conversion and mean reciprocal rank of the first click of the
    lists served in a period, overall and by position.

    Args:
        since (int | Unset):
        until (int | Unset):
        surface (MetricsSurface | Unset): Which kind of list was served.
        experiment (str | Unset):
        variant (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListMetricsResponse | Problem
     """


    return (await asyncio_detailed(
        client=client,
since=since,
until=until,
surface=surface,
experiment=experiment,
variant=variant,

    )).parsed
