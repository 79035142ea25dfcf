package nichefit

import (
	"fmt"

	"github.com/creatorscout/scout/scoring"
)

// applyVariant sets the experiment variant v on cfg.
func applyVariant(cfg *Config, v string) error {
	switch v {
	case "", "base":
		return nil
	case "bigram":
		cfg.Bigrams = true
		return nil
	case "softmax":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 1, 1
		return nil
	case "softmax_xt3":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 3, 1
		return nil
	case "softmax_xt8":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 8, 1
		return nil
	case "softmax_p05":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 1, 0.5
		return nil
	case "softmax_p075":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 1, 0.75
		return nil
	case "softmax_shared":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower, cfg.SoftmaxSharedSlope = true, 1, 1, true
		return nil
	case "softmax_p05_e8":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 1, 0.5
		cfg.Epochs = 8
		return nil
	case "softmax_p05_xt0":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 0, 0.5
		return nil
	case "softmax_bigram":
		cfg.Softmax, cfg.SoftmaxXTWeight, cfg.SoftmaxClassPower = true, 1, 1
		cfg.Bigrams = true
		return nil
	case "inner":
		cfg.InnerGrams = true
		return nil
	case "dens0": // the taxonomy's relevance by term weight alone, as before 2026-12-08
		scoring.NicheTextRefWords = 0
		return nil
	case "dens20":
		scoring.NicheTextRefWords = 20
		return nil
	case "dens80":
		scoring.NicheTextRefWords = 80
		return nil
	case "sib07":
		cfg.BlendSibling = 0.7
		return nil
	case "sib1":
		cfg.BlendSibling = 1
		return nil
	case "blend05":
		cfg.Blend = 0.5
		return nil
	case "blend07":
		cfg.Blend = 0.7
		return nil
	case "sibfloor":
		cfg.SiblingFloor = true
		return nil
	case "sibfloor07":
		cfg.SiblingFloor = true
		cfg.BlendSibling = 0.7
		return nil
	case "catfloor":
		cfg.CategoryFloor = true
		return nil
	case "xt07":
		cfg.BlendXT = 0.7
		return nil
	case "bigram18":
		cfg.Bigrams = true
		cfg.Bits = 18
		return nil
	}
	return fmt.Errorf("unknown variant %q", v)
}
