"""The text-insight engine: themes, sentiment, safeguarding and complaint signals and personal
data for patient comments. Plain Python (scikit-learn, numpy, scipy); no Django.

    model = train()                      # or load_model(directory)
    save_model(model, directory)
    predictions = predict(model, texts, questions, ratings)
    classify_csv(model, input_path, output_path, text_column="FFT answer")
"""

from patientvoice.insight.engine.classify_csv import CsvReport, MissingColumns, classify_csv
from patientvoice.insight.engine.data import (
    ATTRIBUTION,
    LABELLING_NOT_POSSIBLE,
    Example,
    ThemeGroup,
    TrainingSet,
    load_theme_groups,
    load_training_set,
    theme_categories,
)
from patientvoice.insight.engine.evaluate import MEASURES, Report, evaluate, format_report
from patientvoice.insight.engine.model import (
    BatchResult,
    ModelNotFound,
    TextModel,
    load_model,
    save_model,
    train,
)
from patientvoice.insight.engine.personal_data import (
    Finding,
    find_personal_data,
    nhs_number_is_valid,
    redact,
)
from patientvoice.insight.engine.predict import Prediction, predict
from patientvoice.insight.engine.signals import COMPLAINT, SAFEGUARDING, Signal, detect_signals

__all__ = [
    "ATTRIBUTION",
    "COMPLAINT",
    "LABELLING_NOT_POSSIBLE",
    "MEASURES",
    "SAFEGUARDING",
    "BatchResult",
    "CsvReport",
    "Example",
    "Finding",
    "MissingColumns",
    "ModelNotFound",
    "Prediction",
    "Report",
    "Signal",
    "TextModel",
    "ThemeGroup",
    "TrainingSet",
    "classify_csv",
    "detect_signals",
    "evaluate",
    "find_personal_data",
    "format_report",
    "load_model",
    "load_theme_groups",
    "load_training_set",
    "nhs_number_is_valid",
    "predict",
    "redact",
    "save_model",
    "theme_categories",
    "train",
]
