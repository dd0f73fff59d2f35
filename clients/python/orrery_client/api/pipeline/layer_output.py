from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from typing import cast



def _get_kwargs(
    n: int,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/run-layer/{n}/output".format(n=quote(str(n), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | str | None:
    if response.status_code == 200:
        response_200 = response.text
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | str]:
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

) -> Response[Problem | str]:
    """ The latest CSV file of a layer, as `text/csv`.

     Layer 2 scores objects and is open to all. Layers 3 and 4 hold one row of predicted
    category scores per user, so they follow the rule of every other per-user route: the
    admin key (or anyone on a server without one) reads the whole file, a user's token
    reads the header and that user's own row.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
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

) -> Problem | str | None:
    """ The latest CSV file of a layer, as `text/csv`.

     Layer 2 scores objects and is open to all. Layers 3 and 4 hold one row of predicted
    category scores per user, so they follow the rule of every other per-user route: the
    admin key (or anyone on a server without one) reads the whole file, a user's token
    reads the header and that user's own row.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
     """


    return sync_detailed(
        n=n,
client=client,

    ).parsed

async def asyncio_detailed(
    n: int,
    *,
    client: AuthenticatedClient,

) -> Response[Problem | str]:
    """ The latest CSV file of a layer, as `text/csv`.

     Layer 2 scores objects and is open to all. Layers 3 and 4 hold one row of predicted
    category scores per user, so they follow the rule of every other per-user route: the
    admin key (or anyone on a server without one) reads the whole file, a user's token
    reads the header and that user's own row.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | str]
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

) -> Problem | str | None:
    """ The latest CSV file of a layer, as `text/csv`.

     Layer 2 scores objects and is open to all. Layers 3 and 4 hold one row of predicted
    category scores per user, so they follow the rule of every other per-user route: the
    admin key (or anyone on a server without one) reads the whole file, a user's token
    reads the header and that user's own row.

    Args:
        n (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | str
     """


    return (await asyncio_detailed(
        n=n,
client=client,

    )).parsed
