# Plans the platform stack against the real azurerm provider schema with a mocked Azure.
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
      id = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/jkl-open-data-platform/providers/Microsoft.Network/virtualNetworks/vnet-odp-poc/subnets/snet-aks"
    }
  }
  mock_data "azurerm_user_assigned_identity" {
    defaults = {
      id           = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/jkl-open-data-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-odp-github-image"
      principal_id = "00000000-0000-0000-0000-000000000014"
      client_id    = "00000000-0000-0000-0000-000000000015"
    }
  }
  mock_data "azurerm_private_dns_zone" {
    defaults = {
      id = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/jkl-open-data-platform/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net"
    }
  }
}

# Azure fills these in when it creates the cluster; the node pool, the ingress's Key Vault role and the
# federated credential read them, so the plan needs them known.
override_resource {
  target          = azurerm_kubernetes_cluster.cluster
  override_during = plan
  values = {
    oidc_issuer_url = "https://italynorth.oic.prod-aks.azure.com/00000000-0000-0000-0000-00000000000a/00000000-0000-0000-0000-00000000000e/"
    id              = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/jkl-open-data-platform/providers/Microsoft.ContainerService/managedClusters/aks-odp-poc"
    # Terraform test overrides a single nested block with an object.
    web_app_routing = {
      dns_zone_ids = []
      web_app_routing_identity = [{
        client_id                 = "00000000-0000-0000-0000-000000000012"
        object_id                 = "00000000-0000-0000-0000-000000000013"
        user_assigned_identity_id = "/subscriptions/00000000-0000-0000-0000-00000000000b/resourceGroups/MC_jkl-open-data-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/webapprouting-aks-odp-poc"
      }]
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
    condition     = azurerm_role_assignment.api_lake.role_definition_name == "Storage Blob Data Reader" && azurerm_role_assignment.image_publisher_push.role_definition_name == "AcrPush"
    error_message = "The API pods read the lake; the image workflow only pushes images."
  }
  assert {
    condition     = azurerm_storage_account.lake.public_network_access_enabled == false && azurerm_storage_account.lake.shared_access_key_enabled == false
    error_message = "The lake account must be private and keyless."
  }
  assert {
    condition     = azurerm_cognitive_account.openai.public_network_access_enabled == false && azurerm_cognitive_account.openai.local_auth_enabled == false
    error_message = "The language model account must be private and keyless."
  }
  assert {
    condition     = azurerm_storage_account.lake.is_hns_enabled && azurerm_storage_account.lake.default_to_oauth_authentication
    error_message = "The lake needs a hierarchical namespace and Entra ID by default."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.cluster.default_node_pool[0].host_encryption_enabled && azurerm_kubernetes_cluster_node_pool.work_pool.host_encryption_enabled
    error_message = "Every AKS node pool encrypts at host."
  }
  assert {
    condition     = azurerm_kubernetes_cluster.cluster.oidc_issuer_enabled && azurerm_kubernetes_cluster.cluster.workload_identity_enabled && azurerm_kubernetes_cluster.cluster.local_account_disabled
    error_message = "The cluster uses workload identity and Entra ID only."
  }
  assert {
    condition     = alltrue([for k in azurerm_kubernetes_flux_configuration.flux_configuration.kustomizations : k.garbage_collection_enabled && k.path == "./clusters/poc"])
    error_message = "Flux prunes and reconciles ./clusters/poc."
  }
  assert {
    condition     = azurerm_postgresql_flexible_server.catalog.public_network_access_enabled == false && azurerm_postgresql_flexible_server.catalog.authentication[0].password_auth_enabled == false
    error_message = "The catalog database is private and has no password sign-in."
  }
}
