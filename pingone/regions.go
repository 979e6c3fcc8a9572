package pingone

import (
	"fmt"
	"strings"
)

// Region is a PingOne geography, which fixes the API and auth base URLs.
type Region string

// The PingOne regions and their codes as operators write them.
const (
	RegionNA Region = "NA"
	RegionCA Region = "CA"
	RegionEU Region = "EU"
	RegionAU Region = "AU"
	RegionSG Region = "SG"
	RegionAP Region = "AP"
)

type regionBases struct{ api, auth string }

var regions = map[Region]regionBases{
	RegionNA: {"https://api.pingone.com/v1", "https://auth.pingone.com"},
	RegionCA: {"https://api.pingone.ca/v1", "https://auth.pingone.ca"},
	RegionEU: {"https://api.pingone.eu/v1", "https://auth.pingone.eu"},
	RegionAU: {"https://api.pingone.com.au/v1", "https://auth.pingone.com.au"},
	RegionSG: {"https://api.pingone.sg/v1", "https://auth.pingone.sg"},
	RegionAP: {"https://api.pingone.asia/v1", "https://auth.pingone.asia"},
}

// ParseRegion turns an operator's region code (any case; empty means NA) into a Region.
func ParseRegion(s string) (Region, error) {
	if s == "" {
		return RegionNA, nil
	}
	r := Region(strings.ToUpper(strings.TrimSpace(s)))
	if _, ok := regions[r]; !ok {
		return "", fmt.Errorf("unknown PingOne region %q (want one of NA, CA, EU, AU, SG, AP)", s)
	}
	return r, nil
}

// APIBase returns the region's management API base, such as https://api.pingone.com/v1.
func (r Region) APIBase() string { return regions[r].api }

// AuthBase returns the region's auth base, such as https://auth.pingone.com.
func (r Region) AuthBase() string { return regions[r].auth }
