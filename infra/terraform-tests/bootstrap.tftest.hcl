# Plans the bootstrap stack against the real azurerm provider schema with a mocked Azure.
mock_provider "azurerm" {
  mock_data "azurerm_client_config" {
    defaults = {
      tenant_id       = "00000000-0000-0000-0000-00000000000a"
      subscription_id = "00000000-0000-0000-0000-00000000000b"
      object_id       = "00000000-0000-0000-0000-00000000000c"
    }
  }
  mock_data "azurerm_resource_group" {
    defaults = {
      id       = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/jkl-open-data-platform"
      location = "italynorth"
    }
  }
}

# The stack adopts Microsoft.Compute's registration with an import block; mock providers cannot import,
# so the test stands in for the imported object.
override_resource {
  target = azurerm_resource_provider_registration.compute
}

variables {
  subscription_id            = "00000000-0000-0000-0000-00000000000b"
  admin_group_object_id      = "00000000-0000-0000-0000-00000000000d"
  github_app_id              = "1234567"
  github_app_installation_id = "76543210"
  github_app_private_key     = "-----BEGIN RSA PRIVATE KEY-----\nstand-in\n-----END RSA PRIVATE KEY-----\n"
}

run "plan" {
  command = plan

  assert {
    condition     = azurerm_storage_account.state.public_network_access_enabled == false && azurerm_storage_account.state.shared_access_key_enabled == false
    error_message = "The state account must be private and keyless."
  }
  assert {
    condition     = azurerm_subnet.subnet_gateway.name == "GatewaySubnet" && endswith(azurerm_subnet.subnet_gateway.address_prefixes[0], "/27")
    error_message = "The VPN gateway needs a /27 subnet named GatewaySubnet."
  }
  assert {
    condition     = one([for f in azurerm_resource_provider_registration.compute.feature : f.name if f.registered]) == "EncryptionAtHost"
    error_message = "Host encryption needs the EncryptionAtHost feature registered."
  }
  assert {
    condition = toset([
      azurerm_federated_identity_credential.github_plan_pull_request.subject,
      azurerm_federated_identity_credential.github_plan_branch.subject,
      azurerm_federated_identity_credential.github_plan_environment.subject,
      ]) == toset([
      "repo:jkl/open-data-platform:pull_request",
      "repo:jkl/open-data-platform:ref:refs/heads/main",
      "repo:jkl/open-data-platform:environment:poc",
    ])
    error_message = "The plan identity signs in from pull requests, main and the poc environment."
  }
  assert {
    condition     = azurerm_federated_identity_credential.github_apply_environment.subject == "repo:jkl/open-data-platform:environment:poc"
    error_message = "The apply identity signs in from the poc environment only."
  }
  assert {
    condition     = azurerm_federated_identity_credential.github_image_environment.subject == "repo:jkl/open-data-platform:environment:image"
    error_message = "The image identity signs in from the image environment only."
  }
  assert {
    condition     = length(azurerm_container_app_job.runner_job.identity) == 0
    error_message = "The runner job carries no managed identity: its steps must not be able to sign in as one."
  }
}
