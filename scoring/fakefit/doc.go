// Package fakefit loads the labeled account data sets, fits the additive
// account model that scoring ships (scoring.ShippedAccountModel), and
// evaluates it leaving one data set out, with fields removed. It is used
// offline, by `scout eval` and `scout eval -fit`; the scoring package itself
// never fits anything at run time.
//
// The same data and recipe give the same model, bit for bit. Everything here
// is pure computation and safe for concurrent use on distinct inputs.
package fakefit
