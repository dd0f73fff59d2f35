//! The catalog under three names: `/items` (generic: typed categories), `/content`
//! (Dummi AI: `content_id`, one `category`, `tags`, `description`) and `/movies` (Neural
//! Recommendation: `movie_id`, `genres`, `year`). One body type reads all three shapes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use orrery_core::{Category, ItemRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::extract::{Body, Params};
use crate::ids;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::users::Message;
use crate::state::AppState;

/// A category: `{"type": "genre", "value": "Comedy"}`, or just its value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CategoryIn {
    /// A typed category.
    Typed {
        /// The category type (`genre`, `category`, `level`, …).
        #[serde(rename = "type")]
        kind: String,
        /// The value.
        value: String,
    },
    /// A value, of type `category`.
    Value(String),
}

/// Genres as a list or MovieLens-style `Comedy|Drama`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Genres {
    /// A list.
    List(Vec<String>),
    /// Separated by `|`.
    Piped(String),
}

/// An item to create, or the fields to change. `item_id`, `content_id` and `movie_id` all
/// name the item.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ItemBody {
    /// The id (a number means the same id). Movies get the next free number when omitted.
    #[serde(
        default,
        alias = "content_id",
        alias = "movie_id",
        alias = "id",
        deserialize_with = "ids::opt_id"
    )]
    #[schema(value_type = Option<String>)]
    pub item_id: Option<String>,
    /// Title (required when creating).
    pub title: Option<String>,
    /// Typed categories.
    pub categories: Option<Vec<CategoryIn>>,
    /// One category, of type `category`.
    pub category: Option<String>,
    /// Genres (movies), of type `genre`.
    pub genres: Option<Genres>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Free text.
    pub description: Option<String>,
    /// Release year.
    pub year: Option<i32>,
    /// Anything else.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

fn apply(body: &ItemBody, item: &mut ItemRecord) -> ApiResult<()> {
    if let Some(title) = &body.title {
        if title.trim().is_empty() {
            return Err(ApiError::invalid("title", "the title cannot be empty"));
        }
        item.title = title.trim().to_owned();
    }
    let mut categories = Vec::new();
    for c in body.categories.iter().flatten() {
        categories.push(match c {
            CategoryIn::Typed { kind, value } => Category::new(kind.trim(), value.trim()),
            CategoryIn::Value(value) => Category::new("category", value.trim()),
        });
    }
    if let Some(category) = &body.category {
        categories.push(Category::new("category", category.trim()));
    }
    match &body.genres {
        Some(Genres::List(list)) => {
            categories.extend(list.iter().map(|g| Category::new("genre", g.trim())));
        }
        Some(Genres::Piped(text)) => categories.extend(
            text.split('|')
                .filter(|g| !g.trim().is_empty())
                .map(|g| Category::new("genre", g.trim())),
        ),
        None => {}
    }
    if let Some(bad) = categories
        .iter()
        .position(|c| c.kind.is_empty() || c.value.is_empty())
    {
        return Err(ApiError::invalid(
            format!("categories[{bad}]"),
            "a category needs a non-empty type and value",
        ));
    }
    if !categories.is_empty() {
        item.categories = categories;
    }
    if let Some(tags) = &body.tags {
        item.tags = tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
    }
    if let Some(description) = &body.description {
        item.description = Some(description.clone());
    }
    if let Some(year) = body.year {
        if !(1000..=3000).contains(&year) {
            return Err(ApiError::invalid("year", format!("{year} is not a year")));
        }
        item.year = Some(year);
    }
    if let Some(attributes) = &body.attributes {
        item.attributes.extend(attributes.clone());
    }
    Ok(())
}

/// Paging and the category filter of the listings.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// Page, from 1 (default 1).
    pub page: Option<u32>,
    /// Page size, at most 1000 (default 50).
    pub size: Option<u32>,
    /// Only items in this category: a value (`Comedy`) or `type:value` (`genre:Comedy`).
    pub category: Option<String>,
    /// Same as `category` (movies).
    pub genre: Option<String>,
}

struct Listing {
    items: Vec<ItemRecord>,
    total: u64,
    page: u32,
    size: u32,
    pages: u64,
}

async fn create(
    state: &AppState,
    caller: &Caller,
    body: ItemBody,
    number_if_missing: bool,
) -> ApiResult<ItemRecord> {
    state.auth.require_catalog_write(caller)?;
    let id = match &body.item_id {
        Some(id) => id.clone(),
        None if number_if_missing => state.engine.next_item_id(),
        None => return Err(ApiError::invalid("item_id", "send the item's id")),
    };
    if body.title.is_none() {
        return Err(ApiError::invalid("title", "an item needs a title"));
    }
    if state.engine.item_exists(&id).await? {
        return Err(ApiError::Conflict(format!(
            "item {id:?} already exists: change it with PUT"
        )));
    }
    let mut item = ItemRecord::with_id(&id);
    apply(&body, &mut item)?;
    Ok(state.engine.put_item(&item).await?)
}

async fn read(state: &AppState, id: &str) -> ApiResult<ItemRecord> {
    state
        .store
        .get_item(id)
        .await?
        .ok_or_else(|| ApiError::not_found("item", id))
}

async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: ItemBody,
) -> ApiResult<ItemRecord> {
    state.auth.require_catalog_write(caller)?;
    if let Some(other) = body.item_id.as_deref().filter(|other| *other != id) {
        return Err(ApiError::invalid(
            "item_id",
            format!("the body names item {other:?} but the path {id:?}: ids cannot change"),
        ));
    }
    let mut item = read(state, id).await?;
    apply(&body, &mut item)?;
    Ok(state.engine.put_item(&item).await?)
}

async fn delete(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Message> {
    state.auth.require_catalog_write(caller)?;
    if !state.engine.delete_item(id).await? {
        return Err(ApiError::not_found("item", id));
    }
    Ok(Message::new(format!("item {id:?} deleted")))
}

async fn list(state: &AppState, q: ItemsQuery, default_size: u32) -> ApiResult<Listing> {
    let size = q
        .size
        .unwrap_or(default_size)
        .clamp(1, orrery_store::MAX_PAGE_SIZE);
    let page = q.page.unwrap_or(1).max(1);
    let filter = q.category.or(q.genre);
    let category = match &filter {
        Some(name) => match state.engine.snapshot().catalog.find_category(name) {
            Some(c) => Some(c),
            None => {
                return Ok(Listing {
                    items: Vec::new(),
                    total: 0,
                    page,
                    size,
                    pages: 0,
                });
            }
        },
        None => None,
    };
    let result = state
        .store
        .list_items(page, size, category.as_ref())
        .await?;
    Ok(Listing {
        pages: result.total.div_ceil(u64::from(result.size.max(1))),
        items: result.items,
        total: result.total,
        page: result.page,
        size: result.size,
    })
}

// ----- /items ----------------------------------------------------------------------------

/// A category as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryOut {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its value.
    pub value: String,
}

/// An item as `/items` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPublic {
    /// The id.
    pub item_id: String,
    /// Title.
    pub title: String,
    /// Typed categories.
    pub categories: Vec<CategoryOut>,
    /// Tags.
    pub tags: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// Release year.
    pub year: Option<i32>,
    /// Anything else.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl From<ItemRecord> for ItemPublic {
    fn from(item: ItemRecord) -> ItemPublic {
        ItemPublic {
            item_id: item.id,
            title: item.title,
            categories: item
                .categories
                .into_iter()
                .map(|c| CategoryOut {
                    kind: c.kind,
                    value: c.value,
                })
                .collect(),
            tags: item.tags,
            description: item.description,
            year: item.year,
            attributes: item.attributes,
        }
    }
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemList {
    /// The items.
    pub items: Vec<ItemPublic>,
    /// Matching items over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub size: u32,
    /// Number of pages.
    pub pages: u64,
}

/// Create an item (admin key when one is configured).
#[utoipa::path(post, path = "/items", tag = "items", request_body = ItemBody,
    security((), ("api_key" = [])),
    responses(
        (status = 201, body = ItemPublic),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_item(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<ItemBody>,
) -> ApiResult<(StatusCode, Json<ItemPublic>)> {
    Ok((
        StatusCode::CREATED,
        Json(create(&state, &caller, body, false).await?.into()),
    ))
}

/// List items, a page at a time, optionally in one category.
#[utoipa::path(get, path = "/items", tag = "items", params(ItemsQuery), responses((status = 200, body = ItemList)))]
pub async fn list_items(
    State(state): State<AppState>,
    Params(q): Params<ItemsQuery>,
) -> ApiResult<Json<ItemList>> {
    let l = list(&state, q, 50).await?;
    Ok(Json(ItemList {
        items: l.items.into_iter().map(Into::into).collect(),
        total: l.total,
        page: l.page,
        size: l.size,
        pages: l.pages,
    }))
}

/// One item.
#[utoipa::path(get, path = "/items/{item_id}", tag = "items", params(("item_id" = String, Path)),
    responses((status = 200, body = ItemPublic), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemPublic>> {
    Ok(Json(read(&state, &id).await?.into()))
}

/// Change an item: fields sent replace the stored ones.
#[utoipa::path(put, path = "/items/{item_id}", tag = "items", params(("item_id" = String, Path)), request_body = ItemBody,
    security((), ("api_key" = [])),
    responses((status = 200, body = ItemPublic), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ItemBody>,
) -> ApiResult<Json<ItemPublic>> {
    Ok(Json(update(&state, &caller, &id, body).await?.into()))
}

/// Delete an item and its interactions.
#[utoipa::path(delete, path = "/items/{item_id}", tag = "items", params(("item_id" = String, Path)),
    security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Message>> {
    Ok(Json(delete(&state, &caller, &id).await?))
}

// ----- /content (Dummi AI) ---------------------------------------------------------------

/// An item in the `/content` shape: one category, tags and a description.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentPublic {
    /// The id.
    pub content_id: String,
    /// Title.
    pub title: String,
    /// The first category.
    pub category: Option<String>,
    /// Every category value.
    pub categories: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Free text.
    pub description: Option<String>,
}

impl From<ItemRecord> for ContentPublic {
    fn from(item: ItemRecord) -> ContentPublic {
        ContentPublic {
            content_id: item.id,
            title: item.title,
            category: item.categories.first().map(|c| c.value.clone()),
            categories: item.categories.into_iter().map(|c| c.value).collect(),
            tags: item.tags,
            description: item.description,
        }
    }
}

/// A page of content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentList {
    /// The content.
    pub content: Vec<ContentPublic>,
    /// Matching items over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub size: u32,
    /// Number of pages.
    pub pages: u64,
}

/// Create an item in the `/content` shape.
#[utoipa::path(post, path = "/content", tag = "items", request_body = ItemBody,
    security((), ("api_key" = [])),
    responses((status = 201, body = ContentPublic), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn create_content(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<ItemBody>,
) -> ApiResult<(StatusCode, Json<ContentPublic>)> {
    Ok((
        StatusCode::CREATED,
        Json(create(&state, &caller, body, false).await?.into()),
    ))
}

/// List content, a page at a time.
#[utoipa::path(get, path = "/content", tag = "items", params(ItemsQuery), responses((status = 200, body = ContentList)))]
pub async fn list_content(
    State(state): State<AppState>,
    Params(q): Params<ItemsQuery>,
) -> ApiResult<Json<ContentList>> {
    let l = list(&state, q, 50).await?;
    Ok(Json(ContentList {
        content: l.items.into_iter().map(Into::into).collect(),
        total: l.total,
        page: l.page,
        size: l.size,
        pages: l.pages,
    }))
}

/// One piece of content.
#[utoipa::path(get, path = "/content/{content_id}", tag = "items", params(("content_id" = String, Path)),
    responses((status = 200, body = ContentPublic), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_content(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ContentPublic>> {
    Ok(Json(read(&state, &id).await?.into()))
}

/// Change content.
#[utoipa::path(put, path = "/content/{content_id}", tag = "items", params(("content_id" = String, Path)), request_body = ItemBody,
    security((), ("api_key" = [])),
    responses((status = 200, body = ContentPublic), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_content(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ItemBody>,
) -> ApiResult<Json<ContentPublic>> {
    Ok(Json(update(&state, &caller, &id, body).await?.into()))
}

/// Delete content.
#[utoipa::path(delete, path = "/content/{content_id}", tag = "items", params(("content_id" = String, Path)),
    security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_content(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Message>> {
    Ok(Json(delete(&state, &caller, &id).await?))
}

/// The items of one category, as a list.
#[utoipa::path(get, path = "/content/category/{category}", tag = "items",
    params(("category" = String, Path, description = "A category value, or type:value"), ItemsQuery),
    responses((status = 200, body = Vec<ContentPublic>)))]
pub async fn content_by_category(
    State(state): State<AppState>,
    Path(category): Path<String>,
    Params(mut q): Params<ItemsQuery>,
) -> ApiResult<Json<Vec<ContentPublic>>> {
    q.category = Some(category);
    let l = list(&state, q, 100).await?;
    Ok(Json(l.items.into_iter().map(Into::into).collect()))
}

// ----- /movies (Neural Recommendation) ---------------------------------------------------

/// An item in the `/movies` shape: title, genres and year.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoviePublic {
    /// The id.
    pub movie_id: String,
    /// The id again, for clients that call it `id`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Genres (every category value).
    pub genres: Vec<String>,
    /// Release year.
    pub year: Option<i32>,
}

impl From<ItemRecord> for MoviePublic {
    fn from(item: ItemRecord) -> MoviePublic {
        MoviePublic {
            id: item.id.clone(),
            movie_id: item.id,
            title: item.title,
            genres: item.categories.into_iter().map(|c| c.value).collect(),
            year: item.year,
        }
    }
}

/// A page of movies.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovieList {
    /// The movies.
    pub movies: Vec<MoviePublic>,
    /// Matching movies over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub size: u32,
    /// Number of pages.
    pub pages: u64,
}

/// Create a movie; without a `movie_id` it gets the next free number.
#[utoipa::path(post, path = "/movies", tag = "items", request_body = ItemBody,
    security((), ("api_key" = [])),
    responses((status = 201, body = MoviePublic), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn create_movie(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<ItemBody>,
) -> ApiResult<(StatusCode, Json<MoviePublic>)> {
    Ok((
        StatusCode::CREATED,
        Json(create(&state, &caller, body, true).await?.into()),
    ))
}

/// List movies, a page at a time, optionally of one genre.
#[utoipa::path(get, path = "/movies", tag = "items", params(ItemsQuery), responses((status = 200, body = MovieList)))]
pub async fn list_movies(
    State(state): State<AppState>,
    Params(q): Params<ItemsQuery>,
) -> ApiResult<Json<MovieList>> {
    let l = list(&state, q, 50).await?;
    Ok(Json(MovieList {
        movies: l.items.into_iter().map(Into::into).collect(),
        total: l.total,
        page: l.page,
        size: l.size,
        pages: l.pages,
    }))
}

/// One movie.
#[utoipa::path(get, path = "/movies/{movie_id}", tag = "items", params(("movie_id" = String, Path)),
    responses((status = 200, body = MoviePublic), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_movie(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<MoviePublic>> {
    Ok(Json(read(&state, &id).await?.into()))
}

/// Change a movie.
#[utoipa::path(put, path = "/movies/{movie_id}", tag = "items", params(("movie_id" = String, Path)), request_body = ItemBody,
    security((), ("api_key" = [])),
    responses((status = 200, body = MoviePublic), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_movie(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ItemBody>,
) -> ApiResult<Json<MoviePublic>> {
    Ok(Json(update(&state, &caller, &id, body).await?.into()))
}

/// Delete a movie.
#[utoipa::path(delete, path = "/movies/{movie_id}", tag = "items", params(("movie_id" = String, Path)),
    security((), ("api_key" = [])),
    responses((status = 200, body = Message), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_movie(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Message>> {
    Ok(Json(delete(&state, &caller, &id).await?))
}
