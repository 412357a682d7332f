package advisor

func adviseDBPools(wctx) []Advice { return nil }
