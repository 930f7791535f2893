// The pause program of the real node's sandbox image; see main.go and .ci/tools.yaml.
module odp.local/ci/kube/pause

go 1.26
