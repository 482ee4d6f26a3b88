"""The features: TF-IDF of words and of diacritic-free syllables, counted as scikit-learn counts them."""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from tpbnlp.features import OpinionFeatures, _syllables
from tpbnlp.text import preprocess_many


def test_transform_counts_exactly_what_scikit_learn_counts(shipped_corpus):
    texts = preprocess_many(list(shipped_corpus["text"][:600]))
    features = OpinionFeatures().fit(texts[:400])
    X = features.transform(texts[400:])
    start = 0
    for block in features.BLOCKS:
        vocabulary = features.vocabularies_[block]
        counter = CountVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), vocabulary=vocabulary,
                                  preprocessor=_syllables if block == "syll" else None)
        expected = counter.transform(texts[400:]).astype(np.float64)
        expected.data = (np.log(expected.data) + 1) * features.idf_[block][expected.indices]
        expected = expected.multiply(1 / np.sqrt(expected.multiply(expected).sum(axis=1))).tocsr()
        got = X[:, start : start + len(vocabulary)]
        assert got.nnz == expected.nnz > 1000
        assert abs(got - expected).max() < 1e-5
        start += len(vocabulary)
    assert start == X.shape[1]
