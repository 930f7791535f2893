# Plans the vpn stack against the real azurerm provider schema with a mocked Azure.
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
  mock_data "azurerm_subnet" {
    defaults = {
      id = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/jkl-open-data-platform/providers/Microsoft.Network/virtualNetworks/vnet-odp-poc/subnets/GatewaySubnet"
    }
  }
}

variables {
  subscription_id       = "00000000-0000-0000-0000-00000000000b"
  admin_group_object_id = "00000000-0000-0000-0000-00000000000d"
}

run "plan" {
  command = plan

  assert {
    condition     = azurerm_virtual_network_gateway.vpn.type == "Vpn" && endswith(azurerm_virtual_network_gateway.vpn.sku, "AZ")
    error_message = "The gateway is a zone-redundant VPN gateway."
  }
  assert {
    condition     = azurerm_virtual_network_gateway.vpn.vpn_client_configuration[0].vpn_auth_types == toset(["AAD"])
    error_message = "Point-to-site clients sign in with Entra ID."
  }
  assert {
    condition     = azurerm_virtual_network_gateway.vpn.vpn_client_configuration[0].aad_tenant == "https://login.microsoftonline.com/00000000-0000-0000-0000-00000000000a/"
    error_message = "The Entra tenant URL needs its trailing slash."
  }
}
