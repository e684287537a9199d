"""Warnings that point at the user's line, whatever path led to them."""

import os
import sys
import warnings

import sklearn

_INTERNAL = (os.path.dirname(os.path.abspath(__file__)) + os.sep,
             os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep)


def _is_internal(filename):
    return os.path.abspath(filename).startswith(_INTERNAL)


def warn_user(message, category=UserWarning):
    """``warnings.warn`` attributed to the first caller outside this package
    and scikit-learn (whose ``_fit_context`` wraps ``fit``, and whose
    ``Pipeline`` or ``GridSearchCV`` may call it): the user's line, at any
    depth of the call."""
    frame, level = sys._getframe(1), 2
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level - 1 if frame is None else level)
