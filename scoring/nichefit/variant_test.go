package nichefit

import "fmt"

// applyVariant sets the experiment variant v on cfg.
func applyVariant(cfg *Config, v string) error {
	switch v {
	case "", "base":
		return nil
	case "bigram":
		cfg.Bigrams = true
		return nil
	case "softmax":
		cfg.Softmax, cfg.SoftmaxXTWeight = true, 1
		return nil
	case "softmax_xt3":
		cfg.Softmax, cfg.SoftmaxXTWeight = true, 3
		return nil
	case "softmax_xt8":
		cfg.Softmax, cfg.SoftmaxXTWeight = true, 8
		return nil
	case "softmax_bigram":
		cfg.Softmax, cfg.SoftmaxXTWeight = true, 1
		cfg.Bigrams = true
		return nil
	case "bigram18":
		cfg.Bigrams = true
		cfg.Bits = 18
		return nil
	}
	return fmt.Errorf("unknown variant %q", v)
}
