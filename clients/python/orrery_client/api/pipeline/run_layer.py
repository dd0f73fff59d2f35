from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.run_report import RunReport
from typing import cast



def _get_kwargs(
    n: int,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/run-layer/{n}".format(n=quote(str(n), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | RunReport | None:
    if response.status_code == 200:
        response_200 = RunReport.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | RunReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    n: int,
    *,
    client: AuthenticatedClient,

) -> Response[Problem | RunReport]:
    """ Run one layer of the Poppy Universe pipeline (admin) and write its CSV file.

     The data is the store's interactions on celestial items when there are enough of them,
    else a fresh seeded simulation; the answer says which and why.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunReport]
     """


    kwargs = _get_kwargs(
        n=n,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    n: int,
    *,
    client: AuthenticatedClient,

) -> Problem | RunReport | None:
    """ Run one layer of the Poppy Universe pipeline (admin) and write its CSV file.

     The data is the store's interactions on celestial items when there are enough of them,
    else a fresh seeded simulation; the answer says which and why.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunReport
     """


    return sync_detailed(
        n=n,
client=client,

    ).parsed

async def asyncio_detailed(
    n: int,
    *,
    client: AuthenticatedClient,

) -> Response[Problem | RunReport]:
    """ Run one layer of the Poppy Universe pipeline (admin) and write its CSV file.

     The data is the store's interactions on celestial items when there are enough of them,
    else a fresh seeded simulation; the answer says which and why.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | RunReport]
     """


    kwargs = _get_kwargs(
        n=n,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    n: int,
    *,
    client: AuthenticatedClient,

) -> Problem | RunReport | None:
    """ Run one layer of the Poppy Universe pipeline (admin) and write its CSV file.

     The data is the store's interactions on celestial items when there are enough of them,
    else a fresh seeded simulation; the answer says which and why.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | RunReport
     """


    return (await asyncio_detailed(
        n=n,
client=client,

    )).parsed
