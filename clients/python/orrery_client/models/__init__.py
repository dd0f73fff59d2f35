""" Contains all the data models used in inputs/outputs """

from .active_model import ActiveModel
from .activity_response import ActivityResponse
from .against_control import AgainstControl
from .algorithm_out import AlgorithmOut
from .algorithms_response import AlgorithmsResponse
from .because import Because
from .cache_health import CacheHealth
from .category_in_type_0 import CategoryInType0
from .category_out import CategoryOut
from .cold_start_request import ColdStartRequest
from .comparison import Comparison
from .content_list import ContentList
from .content_public import ContentPublic
from .data_source import DataSource
from .database import Database
from .day_out import DayOut
from .demographics import Demographics
from .epoch_validation import EpochValidation
from .experiment import Experiment
from .experiment_report import ExperimentReport
from .experiment_status import ExperimentStatus
from .explanation import Explanation
from .feedback_recorded import FeedbackRecorded
from .feedback_request import FeedbackRequest
from .feedback_type import FeedbackType
from .flow_status import FlowStatus
from .flow_status_settings import FlowStatusSettings
from .health import Health
from .history_entry import HistoryEntry
from .history_entry_metrics import HistoryEntryMetrics
from .history_item import HistoryItem
from .history_response import HistoryResponse
from .impression import Impression
from .index_status import IndexStatus
from .influence import Influence
from .interact_request import InteractRequest
from .interaction_in import InteractionIn
from .interaction_out import InteractionOut
from .item_body import ItemBody
from .item_body_attributes_type_0 import ItemBodyAttributesType0
from .item_list import ItemList
from .item_public import ItemPublic
from .item_public_attributes import ItemPublicAttributes
from .layer_output import LayerOutput
from .list_metrics import ListMetrics
from .list_metrics_response import ListMetricsResponse
from .message import Message
from .method import Method
from .metrics_response import MetricsResponse
from .metrics_response_metrics import MetricsResponseMetrics
from .metrics_response_params import MetricsResponseParams
from .metrics_surface import MetricsSurface
from .model_list import ModelList
from .model_out import ModelOut
from .model_out_metrics import ModelOutMetrics
from .model_out_params import ModelOutParams
from .movie_list import MovieList
from .movie_public import MoviePublic
from .new_experiment import NewExperiment
from .onboarding_movie import OnboardingMovie
from .onboarding_rating import OnboardingRating
from .onboarding_response import OnboardingResponse
from .param_out import ParamOut
from .period import Period
from .pipeline_outputs import PipelineOutputs
from .position_metrics import PositionMetrics
from .predict_request import PredictRequest
from .predict_response import PredictResponse
from .prediction import Prediction
from .prior_origin import PriorOrigin
from .problem import Problem
from .rate import Rate
from .rating_in import RatingIn
from .rating_model_summary import RatingModelSummary
from .rating_model_summary_metrics import RatingModelSummaryMetrics
from .rating_public import RatingPublic
from .recommend_request import RecommendRequest
from .recommendation_response import RecommendationResponse
from .recommended_item import RecommendedItem
from .recommender_health import RecommenderHealth
from .recorded import Recorded
from .recorder_stats import RecorderStats
from .run_out import RunOut
from .run_progress import RunProgress
from .run_progress_params import RunProgressParams
from .run_record import RunRecord
from .run_record_params import RunRecordParams
from .run_report import RunReport
from .run_report_quality import RunReportQuality
from .run_summary import RunSummary
from .run_summary_flow import RunSummaryFlow
from .run_summary_metrics import RunSummaryMetrics
from .runs_response import RunsResponse
from .serving_interval import ServingInterval
from .serving_route import ServingRoute
from .serving_stats import ServingStats
from .shared_category import SharedCategory
from .similar_method import SimilarMethod
from .similar_response import SimilarResponse
from .similar_user import SimilarUser
from .similar_users import SimilarUsers
from .similarity_basis import SimilarityBasis
from .source_kind import SourceKind
from .stats_response import StatsResponse
from .stored import Stored
from .text_encoder import TextEncoder
from .text_encoder_out import TextEncoderOut
from .token import Token
from .token_form import TokenForm
from .train_accepted import TrainAccepted
from .train_accepted_params import TrainAcceptedParams
from .train_request import TrainRequest
from .train_request_hyperparameters_type_0 import TrainRequestHyperparametersType0
from .train_request_hyperparams_type_0 import TrainRequestHyperparamsType0
from .train_request_params_type_0 import TrainRequestParamsType0
from .training_status import TrainingStatus
from .user_body import UserBody
from .user_history import UserHistory
from .user_list import UserList
from .user_neighbour import UserNeighbour
from .user_public import UserPublic
from .user_similarity import UserSimilarity
from .variant import Variant
from .variant_result import VariantResult

__all__ = (
    "ActiveModel",
    "ActivityResponse",
    "AgainstControl",
    "AlgorithmOut",
    "AlgorithmsResponse",
    "Because",
    "CacheHealth",
    "CategoryInType0",
    "CategoryOut",
    "ColdStartRequest",
    "Comparison",
    "ContentList",
    "ContentPublic",
    "Database",
    "DataSource",
    "DayOut",
    "Demographics",
    "EpochValidation",
    "Experiment",
    "ExperimentReport",
    "ExperimentStatus",
    "Explanation",
    "FeedbackRecorded",
    "FeedbackRequest",
    "FeedbackType",
    "FlowStatus",
    "FlowStatusSettings",
    "Health",
    "HistoryEntry",
    "HistoryEntryMetrics",
    "HistoryItem",
    "HistoryResponse",
    "Impression",
    "IndexStatus",
    "Influence",
    "InteractionIn",
    "InteractionOut",
    "InteractRequest",
    "ItemBody",
    "ItemBodyAttributesType0",
    "ItemList",
    "ItemPublic",
    "ItemPublicAttributes",
    "LayerOutput",
    "ListMetrics",
    "ListMetricsResponse",
    "Message",
    "Method",
    "MetricsResponse",
    "MetricsResponseMetrics",
    "MetricsResponseParams",
    "MetricsSurface",
    "ModelList",
    "ModelOut",
    "ModelOutMetrics",
    "ModelOutParams",
    "MovieList",
    "MoviePublic",
    "NewExperiment",
    "OnboardingMovie",
    "OnboardingRating",
    "OnboardingResponse",
    "ParamOut",
    "Period",
    "PipelineOutputs",
    "PositionMetrics",
    "Prediction",
    "PredictRequest",
    "PredictResponse",
    "PriorOrigin",
    "Problem",
    "Rate",
    "RatingIn",
    "RatingModelSummary",
    "RatingModelSummaryMetrics",
    "RatingPublic",
    "RecommendationResponse",
    "RecommendedItem",
    "RecommenderHealth",
    "RecommendRequest",
    "Recorded",
    "RecorderStats",
    "RunOut",
    "RunProgress",
    "RunProgressParams",
    "RunRecord",
    "RunRecordParams",
    "RunReport",
    "RunReportQuality",
    "RunsResponse",
    "RunSummary",
    "RunSummaryFlow",
    "RunSummaryMetrics",
    "ServingInterval",
    "ServingRoute",
    "ServingStats",
    "SharedCategory",
    "SimilarityBasis",
    "SimilarMethod",
    "SimilarResponse",
    "SimilarUser",
    "SimilarUsers",
    "SourceKind",
    "StatsResponse",
    "Stored",
    "TextEncoder",
    "TextEncoderOut",
    "Token",
    "TokenForm",
    "TrainAccepted",
    "TrainAcceptedParams",
    "TrainingStatus",
    "TrainRequest",
    "TrainRequestHyperparametersType0",
    "TrainRequestHyperparamsType0",
    "TrainRequestParamsType0",
    "UserBody",
    "UserHistory",
    "UserList",
    "UserNeighbour",
    "UserPublic",
    "UserSimilarity",
    "Variant",
    "VariantResult",
)
